/** Paths into the written playbook: `["workflow", 1, "case", 0, "then", "next", 0, "step"]`. */
export type Segment = string | number;
export type Path = readonly Segment[];

/** `workflow[1].case[0].then.next[0].step`; `` for the root. */
export function formatPath(path: Path): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else text += text === "" ? segment : `.${segment}`;
  }
  return text;
}

/** True when `path` equals `prefix` or lies below it. */
export function startsWith(path: Path, prefix: Path): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => path[i] === segment);
}
