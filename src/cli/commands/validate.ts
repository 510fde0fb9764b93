import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { formatIssue, type ValidationIssue, validate } from "../../dsl/index.ts";

export interface ValidateOptions {
  /** Print one JSON document ({ok, files: [{file, ok, errors}]}) instead of text. */
  json?: boolean;
}

export interface CommandOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

interface FileReport {
  file: string;
  ok: boolean;
  errors: ValidationIssue[];
}

async function validateFile(file: string): Promise<FileReport> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return {
      file,
      ok: false,
      errors: [{ file, line: 0, column: 0, path: "", message: `cannot read file (${reason})` }],
    };
  }
  const { ok, errors } = validate(text, { file });
  return { file, ok, errors };
}

/**
 * `noetl validate <files...>`: every file is checked and every problem printed (`file:line:col path: message`
 * on stderr, `ok <file>` on stdout for valid files); exit code 1 when any file is invalid.
 */
export async function runValidate(files: string[], opts: ValidateOptions = {}): Promise<CommandOutput> {
  const reports = await Promise.all(files.map(validateFile));
  const ok = reports.every((report) => report.ok);
  const exitCode = ok ? 0 : 1;
  if (opts.json)
    return { stdout: `${JSON.stringify({ ok, files: reports }, null, 2)}\n`, stderr: "", exitCode };
  let stdout = "";
  let stderr = "";
  for (const report of reports) {
    if (report.ok) stdout += `ok ${report.file}\n`;
    else stderr += `${report.errors.map(formatIssue).join("\n")}\n`;
  }
  const errorCount = reports.reduce((sum, report) => sum + report.errors.length, 0);
  const invalid = reports.filter((report) => !report.ok).length;
  if (!ok)
    stderr += `${errorCount} error${errorCount === 1 ? "" : "s"} in ${invalid} of ${reports.length} file${reports.length === 1 ? "" : "s"}\n`;
  return { stdout, stderr, exitCode };
}

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("check playbook files and print every problem with its line and column")
    .argument("<files...>", "playbook YAML files")
    .option("--json", "print the result as JSON")
    .action(async (files: string[], opts: ValidateOptions) => {
      const output = await runValidate(files, opts);
      process.stdout.write(output.stdout);
      process.stderr.write(output.stderr);
      process.exitCode = output.exitCode;
    });
}
