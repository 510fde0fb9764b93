import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { ExprError, evaluate, render } from "../../expr/index.ts";

export interface RenderOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RenderOptions {
  /** Treat the text as a bare expression (`a.b | length`), as `when:` does. */
  expression?: boolean;
}

function parseContext(contextJson: string | undefined): Record<string, unknown> {
  if (contextJson === undefined || contextJson.trim() === "") return {};
  const value: unknown = JSON.parse(contextJson);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error("the context must be a JSON object (its keys are the names templates see)");
  }
  return value as Record<string, unknown>;
}

/**
 * Renders one template against a JSON context and prints the typed result as JSON on one line. An undefined
 * result prints nothing and still succeeds (exit 0): it is what `{{ missing }}` means, not an error.
 * Template errors print `error: <message>` and exit 1.
 */
export function runRender(template: string, contextJson?: string, opts: RenderOptions = {}): RenderOutput {
  try {
    const scope = parseContext(contextJson);
    const value = opts.expression === true ? evaluate(template, scope) : render(template, scope);
    return { stdout: value === undefined ? "" : `${JSON.stringify(value)}\n`, stderr: "", exitCode: 0 };
  } catch (e) {
    const message = e instanceof ExprError || e instanceof Error ? e.message : String(e);
    const prefix = e instanceof SyntaxError ? "invalid context JSON: " : "";
    return { stdout: "", stderr: `error: ${prefix}${message}\n`, exitCode: 1 };
  }
}

/** `noetl render '<template>' [--context file.json] [--expression]`. */
export function registerRender(program: Command): void {
  program
    .command("render")
    .description(
      "render a template (Jinja2 expression syntax) against a JSON context and print the result as JSON",
    )
    .argument("<template>", "template text, e.g. '{{ items | length }}'")
    .option("-c, --context <file>", "JSON file whose top-level keys are the names the template sees")
    .option("-e, --expression", "treat the text as a bare expression, as `when:` does")
    .action((template: string, options: { context?: string; expression?: boolean }) => {
      let contextJson: string | undefined;
      if (options.context !== undefined) {
        try {
          contextJson = readFileSync(options.context, "utf8");
        } catch (e) {
          process.stderr.write(`error: cannot read ${options.context}: ${(e as Error).message}\n`);
          process.exitCode = 1;
          return;
        }
      }
      const out = runRender(template, contextJson, { expression: options.expression === true });
      process.stdout.write(out.stdout);
      process.stderr.write(out.stderr);
      process.exitCode = out.exitCode;
    });
}
