import { checkSyntax, references } from "../expr/index.ts";
import type { Checker } from "./checker.ts";
import { EXPRESSION_GLOBALS, isContextName } from "./names.ts";
import { canRunBefore, stepGraph } from "./step-graph.ts";
import { positionInString } from "./string-position.ts";
import { didYouMean } from "./suggest.ts";
import { collectTemplateSites, type TemplateSite } from "./template-sites.ts";
import type { JsonObject } from "./types.ts";

/**
 * Templates and expressions: syntax (with the exact line/column of the problem inside the string), then
 * the names they read. Conservative by design: a name is reported only when it reads `<name>.field` and is
 * no context name, iterator, global or step; a step result only when that step cannot have run before.
 */
export function checkTemplates(checker: Checker, doc: JsonObject): void {
  const sites = collectTemplateSites(doc);
  const graph = stepGraph(doc);
  for (const site of sites) {
    const options = { expression: site.expression };
    const owner = site.step === undefined ? "" : `Step '${site.step}': `;
    const problem = checkSyntax(site.source, options);
    if (problem) {
      const position =
        problem.offset === undefined
          ? checker.source.locate(site.path)
          : positionInString(checker.source, site.path, problem.offset);
      const message = problem.message.replace(/ at \d+$/, "");
      checker.error(site.path, `${owner}template error: ${message}`, { position });
      continue;
    }
    if (site.checkNames) checkReferences(checker, site, references(site.source, options), graph, owner);
  }
}

function checkReferences(
  checker: Checker,
  site: TemplateSite,
  refs: string[][],
  graph: ReturnType<typeof stepGraph>,
  owner: string,
): void {
  const reported = new Set<string>();
  for (const ref of refs) {
    const name = ref[0];
    if (name === undefined || reported.has(name)) continue;
    if (isContextName(name) || EXPRESSION_GLOBALS.includes(name) || site.iterators.includes(name)) continue;
    const offset = nameOffset(site.source, name);
    const position = offset < 0 ? undefined : positionInString(checker.source, site.path, offset);
    if (graph.steps.has(name)) {
      if (site.step === undefined || site.step === name || canRunBefore(graph, name, site.step)) continue;
      reported.add(name);
      checker.error(
        site.path,
        `${owner}step '${name}' never runs before '${site.step}'`,
        position && { position },
      );
    } else if (ref.length >= 2) {
      reported.add(name);
      const owningStep = graph.iterators.get(name);
      const hint =
        owningStep === undefined
          ? didYouMean(name, [...graph.steps, ...site.iterators])
          : ` (the loop iterator of step '${owningStep}' is visible only in that step)`;
      checker.error(site.path, `${owner}unknown name '${name}'${hint}`, position && { position });
    }
  }
}

/** Where the string reads `name.`/`name[` (else `name`), to point at the reference itself. */
function nameOffset(source: string, name: string): number {
  const escaped = name.replace(/[^A-Za-z0-9_]/g, "\\$&");
  const dotted = source.search(new RegExp(`\\b${escaped}\\s*[.[]`));
  return dotted >= 0 ? dotted : source.search(new RegExp(`\\b${escaped}\\b`));
}
