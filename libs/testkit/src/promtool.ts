/** `promtool check metrics` on an exposition text; null when promtool is not installed. */
import { spawnSync } from 'node:child_process';

export function promtoolCheckMetrics(text: string): { ok: boolean; output: string } | null {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error) return null;
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}
