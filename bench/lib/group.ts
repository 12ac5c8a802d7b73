/** What every group of rows gets from the runner, and what it gives back. */
import type { Cleanup } from './infra';
import type { RowReport } from './table';

export interface GroupContext {
  cleanup: Cleanup;
  /** Progress lines (stderr); the table goes to stdout. */
  log: (line: string) => void;
  /** Repetitions of each raw/project pair. */
  reps: number;
  /** The rows of this group that were asked for. */
  rows: ReadonlySet<number>;
}

export interface RowInfo {
  id: number;
  name: string;
  describe: string;
}

/** Rows that share their services: set up once, measured raw/project in turn per repetition. */
export interface Group {
  name: string;
  rows: RowInfo[];
  run(ctx: GroupContext): Promise<RowReport[]>;
}
