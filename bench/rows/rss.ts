/**
 * Row 7: peak RSS per service under load, from what the other rows ran: the
 * VmHWM of every service process, read just before it was stopped. The raw
 * limit is the bare Express + JSON + HMAC process of row 2 (same node, same
 * tsx loader) after its own load.
 */
import { peakRss } from '../lib/infra';
import type { Line, RowReport } from '../lib/table';

const SERVICES = ['booking-api', 'webhook-gateway', 'calcom-sync'];
const GOAL_MB = 150;

export function rssRow(): RowReport | undefined {
  const seen = SERVICES.filter((s) => peakRss.some((p) => p.service === s));
  if (!seen.length) return undefined;
  const bare = peakRss.filter((p) => p.service === 'bare-express').map((p) => p.peakMb);
  const raw = bare.length ? `${Math.max(...bare).toFixed(0)} MB bare Express` : '- (row 2 not run)';
  const lines: Line[] = seen.map((service, i) => {
    const mine = peakRss.filter((p) => p.service === service);
    const top = mine.reduce((a, b) => (b.peakMb > a.peakMb ? b : a));
    const low = Math.min(...mine.map((p) => p.peakMb));
    return {
      measure: `${i === 0 ? 'peak RSS under load: ' : ''}${service}`,
      project: `${top.peakMb.toFixed(0)} MB (${top.group}; ${mine.length} processes, lowest ${low.toFixed(0)})`,
      raw,
      goal: `< ${GOAL_MB} MB`,
      met: top.peakMb < GOAL_MB,
    };
  });
  return {
    id: 7,
    name: 'rss',
    title: 'peak RSS per service under load',
    lines,
    notes: [
      'VmHWM of each service process just before it was stopped, highest per service over the rows that ran; services run built (`node --enable-source-maps dist/main.js`, as the container image does), and so does the bare baseline (esbuild)',
    ],
  };
}
