/**
 * Capturing a runner's stdout/stderr: the child's fds 1/2 are files the parent also holds open, so the output
 * of a call is readable even after the process died mid-call (the runner truncates them before each call).
 */
import { fstatSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Opens a file for the child's fd 1/2 and unlinks it at once: nothing to clean up, whatever happens. */
export function anonymousFile(): number {
  const dir = mkdtempSync(join(tmpdir(), "noetl-py-"));
  const path = join(dir, "out");
  const fd = openSync(path, "w+");
  unlinkSync(path);
  rmdirSync(dir);
  return fd;
}

export function readCaptured(fd: number, limit: number): string {
  const size = fstatSync(fd).size;
  const buffer = Buffer.alloc(Math.min(size, limit));
  const read = readSync(fd, buffer, 0, buffer.length, 0);
  const text = buffer.subarray(0, read).toString("utf8");
  return size > limit ? `${text}\n...[truncated ${size - limit} bytes]` : text;
}
