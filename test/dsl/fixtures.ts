import { readdirSync, readFileSync } from "node:fs";

const root = new URL("../fixtures/playbooks/", import.meta.url);

export function fixture(name: string): string {
  return readFileSync(new URL(name, root), "utf8");
}

export function fixtureNames(folder: "valid" | "invalid"): string[] {
  return readdirSync(new URL(`${folder}/`, root))
    .filter((name) => name.endsWith(".yaml"))
    .sort()
    .map((name) => `${folder}/${name}`);
}

/** The `# expect: <formatted issue>` lines of an invalid fixture, in order. */
export function expectations(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("# expect: "))
    .map((line) => line.slice("# expect: ".length));
}
