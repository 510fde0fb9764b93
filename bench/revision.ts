/**
 * Which code was measured: the commit and whether src/ had uncommitted changes (several people change
 * this tree at once, so a figure without its revision means little). NOETL_BENCH_REVISION overrides it
 * for a tree without .git (e.g. a `git archive` export of an older commit).
 */
import { execFileSync } from "node:child_process";
import { REPO_ROOT } from "./modes/spawn.ts";

export function revision(): string {
  if (process.env.NOETL_BENCH_REVISION) return process.env.NOETL_BENCH_REVISION;
  try {
    const git = (...args: string[]) =>
      execFileSync("git", args, {
        cwd: REPO_ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trim();
    const head = git("rev-parse", "--short", "HEAD");
    return git("status", "--porcelain", "--", "src") === "" ? head : `${head}+dirty`;
  } catch {
    return "unknown";
  }
}
