import type { Command } from "commander";
import { playbookSchema } from "../../dsl/index.ts";

/** The playbook JSON Schema as pretty JSON, for editors (see docs/dsl.md, "Editor setup"). */
export function schemaText(): string {
  return `${JSON.stringify(playbookSchema(), null, 2)}\n`;
}

export function registerSchema(program: Command): void {
  program
    .command("schema")
    .description("print the JSON Schema of playbooks (for editor completion and checks)")
    .action(() => {
      process.stdout.write(schemaText());
    });
}
