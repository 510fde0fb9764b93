/** `noetl db init`: applies the schema migrations (the server also applies them on start). */
import type { Command } from "commander";
import { loadConfig } from "../../config.ts";
import { migrate, openDb } from "../../store/index.ts";

export function registerDb(program: Command): void {
  const db = program.command("db").description("database administration");
  db.command("init")
    .description("create or upgrade NoETL's tables")
    .option("--db <url>", "PostgreSQL url (default: embedded PGlite in --data-dir)")
    .option("--data-dir <dir>", "PGlite data directory (default .noetl)")
    .action(async (flags: { db?: string; dataDir?: string }) => {
      const config = loadConfig(process.env, flags);
      const handle = await openDb(
        config.databaseUrl !== undefined ? { url: config.databaseUrl } : { dataDir: config.dataDir },
      );
      try {
        const { applied } = await migrate(handle);
        process.stdout.write(
          applied.length > 0 ? `applied ${applied.join(", ")}\n` : "schema is up to date\n",
        );
      } finally {
        await handle.close();
      }
    });
}
