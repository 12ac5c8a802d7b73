/** What every scenario gets from the runner. */
import type { RawLimits } from '../raw-limits';
import type { Cleanup } from './infra';
import type { Section } from './table';

export interface ScenarioContext {
  cleanup: Cleanup;
  limits: RawLimits;
  /** Progress lines (stderr); the tables go to stdout. */
  log: (line: string) => void;
}

export interface Scenario {
  name: string;
  describe: string;
  run(ctx: ScenarioContext): Promise<Section>;
}
