import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import {
  formatIssue,
  keychainNames,
  type LocatedAuthName,
  locateAuthNames,
  type ValidationIssue,
  validate,
} from "../../dsl/index.ts";

export interface ValidateOptions {
  /** Print one JSON document ({ok, files: [{file, ok, errors}]}) instead of text. */
  json?: boolean;
  /** Also list, per valid file, its keychain entries and the credential names its tools use. */
  explain?: boolean;
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
  /** With --explain, for valid files. */
  keychain?: string[];
  auth?: LocatedAuthName[];
}

async function validateFile(file: string, explain: boolean): Promise<FileReport> {
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
  const { ok, errors, playbook } = validate(text, { file });
  if (!explain || playbook === undefined) return { file, ok, errors };
  return { file, ok, errors, keychain: keychainNames(playbook), auth: locateAuthNames(text) };
}

/** `--explain` text: what credentials a valid playbook declares and uses, and what registration needs. */
function explainText(report: FileReport): string {
  const keychain = report.keychain ?? [];
  let text = `  keychain: ${keychain.length > 0 ? keychain.join(", ") : "(none)"}\n`;
  const auth = report.auth ?? [];
  if (auth.length === 0) return `${text}  auth: (none)\n`;
  for (const site of auth) {
    const where = `${site.line}:${site.column}${site.step === undefined ? "" : ` in step '${site.step}'`}`;
    const status = site.template
      ? "templated: resolved at run time"
      : site.declared
        ? "declared in keychain"
        : "not declared: must be stored before the server accepts the playbook";
    text += `  auth ${site.name} at ${where} (${status})\n`;
  }
  return text;
}

/**
 * `noetl validate <files...>`: every file is checked and every problem printed (`file:line:col path: message`
 * on stderr, `ok <file>` on stdout for valid files); exit code 1 when any file is invalid.
 */
export async function runValidate(files: string[], opts: ValidateOptions = {}): Promise<CommandOutput> {
  const reports = await Promise.all(files.map((file) => validateFile(file, opts.explain === true)));
  const ok = reports.every((report) => report.ok);
  const exitCode = ok ? 0 : 1;
  if (opts.json)
    return { stdout: `${JSON.stringify({ ok, files: reports }, null, 2)}\n`, stderr: "", exitCode };
  let stdout = "";
  let stderr = "";
  for (const report of reports) {
    if (report.ok) stdout += `ok ${report.file}\n${opts.explain ? explainText(report) : ""}`;
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
    .option("--explain", "also list each file's keychain entries and the credential names (auth) it uses")
    .action(async (files: string[], opts: ValidateOptions) => {
      const output = await runValidate(files, opts);
      process.stdout.write(output.stdout);
      process.stderr.write(output.stderr);
      process.exitCode = output.exitCode;
    });
}
