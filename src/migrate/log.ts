import { isNode, isPair, type LineCounter } from "yaml";
import type { MigrationNote } from "./types.ts";

/** Collects the notes of one migration, positioned in the v1 source. */
export class MigrationLog {
  private readonly changeNotes: MigrationNote[] = [];
  private readonly unconvertedNotes: MigrationNote[] = [];

  constructor(private readonly lineCounter: LineCounter) {}

  /** `at` is a parsed node or pair of the v1 document (its range is the position). */
  change(at: unknown, path: string, message: string): void {
    this.changeNotes.push({ ...this.position(at), path, message });
  }

  /** Reported once per path: the first (most specific) reason wins. */
  unconverted(at: unknown, path: string, message: string): void {
    if (this.unconvertedNotes.some((note) => note.path === path)) return;
    this.unconvertedNotes.push({ ...this.position(at), path, message });
  }

  get changes(): MigrationNote[] {
    return sortBySource(this.changeNotes);
  }

  get unconvertedItems(): MigrationNote[] {
    return sortBySource(this.unconvertedNotes);
  }

  private position(at: unknown): { line: number; column: number } {
    const node = isPair(at) ? at.key : at;
    const offset = isNode(node) ? node.range?.[0] : undefined;
    if (offset === undefined) return { line: 0, column: 0 };
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }
}

/** Stable: notes at the same place keep the order in which they were made. */
function sortBySource(notes: MigrationNote[]): MigrationNote[] {
  return [...notes].sort((a, b) => a.line - b.line || a.column - b.column);
}
