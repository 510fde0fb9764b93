/** One thing `noetl migrate` did, or could not do, at a place in the v1 file. */
export interface MigrationNote {
  /** 1-based line in the v1 file (0 when the note has no source position). */
  line: number;
  /** 1-based column in the v1 file. */
  column: number;
  /** Where in the playbook, e.g. `workflow[2].next[0].when`; `` for the document root. */
  path: string;
  message: string;
}

export interface MigrationResult {
  /** The v2 YAML; the input text unchanged when nothing was converted. */
  yaml: string;
  changed: boolean;
  /** Each change made, in source order. */
  changes: MigrationNote[];
  /** Each v1 form left in place because v2 has no faithful equivalent, in source order. */
  unconverted: MigrationNote[];
}

export interface MigrateOptions {
  /** Used only in messages. */
  file?: string;
}
