import type { ValidationIssue } from "./types.ts";

/**
 * `weather.yaml:14:9 workflow[1].case[0].then.next[0].step: unknown step 'sumarize' ...`;
 * without a file `14:9 path: message`; an issue at the document root has an empty path.
 */
export function formatIssue(issue: ValidationIssue): string {
  const where = `${issue.line}:${issue.column}`;
  const location = issue.file === undefined ? where : `${issue.file}:${where}`;
  return issue.path === "" ? `${location} ${issue.message}` : `${location} ${issue.path}: ${issue.message}`;
}

/** Thrown by `parsePlaybook` with every problem found, not just the first. */
export class PlaybookInvalidError extends Error {
  readonly code = "E_PLAYBOOK_INVALID" as const;
  readonly retryable = false;
  readonly issues: ValidationIssue[];

  constructor(issues: ValidationIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "PlaybookInvalidError";
    this.issues = issues;
  }
}
