/**
 * The `noetl` command (alias `noetlctl`). Each sub-command lives in its own module under ./commands and
 * registers itself on the program; this file only assembles them and maps failures to exit codes.
 */
import { Command, CommanderError } from "commander";
import { ConfigError } from "../config.ts";
import { registerCredential } from "./commands/credential.ts";
import { registerDb } from "./commands/db.ts";
import { registerMigrate } from "./commands/migrate.ts";
import { registerRemote } from "./commands/remote.ts";
import { registerRender } from "./commands/render.ts";
import { registerRun } from "./commands/run.ts";
import { registerSchema } from "./commands/schema.ts";
import { registerServer } from "./commands/server.ts";
import { registerValidate } from "./commands/validate.ts";
import { registerWorker } from "./commands/worker.ts";
import { UsageError } from "./payload.ts";
import { VERSION } from "./version.ts";

export function buildProgram(): Command {
  const program = new Command("noetl")
    .description("NoETL: run YAML workflow playbooks, embedded or on a server with workers")
    .version(VERSION)
    // Program options only before the sub-command: otherwise `noetl execute <path> --version 2` printed
    // noetl's own version instead of running catalog version 2.
    .enablePositionalOptions()
    .showHelpAfterError()
    // Before the sub-commands are added, so that they inherit it: commander then throws instead of calling
    // process.exit(1), and main() maps its errors to exit code 2.
    .exitOverride();
  for (const register of [
    registerRun,
    registerValidate,
    registerSchema,
    registerRender,
    registerMigrate,
    registerServer,
    registerWorker,
    registerDb,
    registerRemote,
    registerCredential,
  ]) {
    register(program);
  }
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version exit 0; everything commander refuses (an unknown command or flag, a missing
      // argument) is a usage error, as cli.md promises.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = err instanceof UsageError || err instanceof ConfigError ? 2 : 1;
  }
}

await main(process.argv);
