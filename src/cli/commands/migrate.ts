import { readFile, stat, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Command } from "commander";
import { formatIssue, validate } from "../../dsl/index.ts";
import { migratePlaybook } from "../../migrate/index.ts";
import type { MigrationNote } from "../../migrate/types.ts";

export interface MigrateCliOptions {
  /** A file (one input) or a directory (one file per input, same base name). */
  output?: string;
  /** Overwrite each input with its v2 form. */
  write?: boolean;
  /** Only report: print no YAML, write nothing. */
  check?: boolean;
}

export interface CliOutcome {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * `noetl migrate <files...> [-o OUT | --write] [--check]`: converts v1 playbooks to v2, prints (or writes)
 * the result, reports every change and every form left as written at its v1 line:column, then validates
 * the output with the v2 validator. Exit 0 when every output is valid v2, 1 otherwise.
 */
export async function runMigrate(files: string[], opts: MigrateCliOptions = {}): Promise<CliOutcome> {
  const out: string[] = [];
  const err: string[] = [];
  const modes = [opts.output !== undefined, opts.write === true, opts.check === true].filter(Boolean);
  if (modes.length > 1)
    return { stdout: "", stderr: "migrate: use only one of -o, --write, --check\n", exitCode: 1 };
  if (files.length === 0) return { stdout: "", stderr: "migrate: no files given\n", exitCode: 1 };
  const outputIsDir = opts.output !== undefined && (files.length > 1 || (await isDirectory(opts.output)));
  let failed = false;
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      err.push(`${file}: cannot read: ${error instanceof Error ? error.message : String(error)}`);
      failed = true;
      continue;
    }
    const result = migratePlaybook(text, { file });
    for (const note of result.changes) err.push(noteLine(file, "changed", note));
    for (const note of result.unconverted) err.push(noteLine(file, "not converted", note));

    let target = `${file} (v2 output)`;
    if (opts.write) target = file;
    else if (opts.output !== undefined)
      target = outputIsDir ? join(opts.output, basename(file)) : opts.output;
    if (opts.write || opts.output !== undefined) {
      if (result.changed || !opts.write) await writeFile(target, result.yaml);
    } else if (!opts.check) {
      out.push(out.length > 0 ? `---\n${result.yaml}` : result.yaml);
    }

    const validation = validate(result.yaml, { file: target });
    for (const issue of validation.errors) err.push(formatIssue(issue));
    if (!validation.ok) failed = true;
    err.push(
      summary(
        file,
        result.changed,
        result.changes.length,
        result.unconverted.length,
        validation.errors.length,
      ),
    );
  }
  const stdout = out.map((yaml) => (yaml.endsWith("\n") ? yaml : `${yaml}\n`)).join("");
  return { stdout, stderr: err.map((line) => `${line}\n`).join(""), exitCode: failed ? 1 : 0 };
}

export function registerMigrate(program: Command): Command {
  return program
    .command("migrate")
    .description("Convert v1 playbooks to v2, report each change, and validate the result")
    .argument("<files...>", "v1 playbook files")
    .option("-o, --output <path>", "write the v2 playbook here (a directory when several files are given)")
    .option("--write", "overwrite each file with its v2 form")
    .option("--check", "only report what would change and whether the result is valid v2")
    .action(async (files: string[], opts: MigrateCliOptions) => {
      const outcome = await runMigrate(files, opts);
      process.stdout.write(outcome.stdout);
      process.stderr.write(outcome.stderr);
      process.exitCode = outcome.exitCode;
    });
}

function noteLine(file: string, what: string, note: MigrationNote): string {
  const where = note.path === "" ? "" : ` ${note.path}`;
  return `${file}:${note.line}:${note.column} ${what}${where}: ${note.message}`;
}

function summary(
  file: string,
  changed: boolean,
  changes: number,
  unconverted: number,
  errors: number,
): string {
  const what = changed ? `${changes} change(s), ${unconverted} left as written` : "nothing to change";
  const verdict = errors === 0 ? "valid v2" : `not valid v2 (${errors} error(s))`;
  return `${file}: ${what}; ${verdict}`;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
