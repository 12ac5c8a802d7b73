/** What a seed prints: a line when it passes; the whole story and the replay command when not. */
import type { SeedResult } from './seed';

export function report(r: SeedResult, logDir: string, verbose = false, flags = ''): string {
  const head = `seed ${r.seed}: ${r.findings.length ? `FAILED (${r.findings.length} findings)` : 'ok'} in ${(r.ms / 1000).toFixed(0)} s, ${r.history.ops.length} ops, ${r.history.faults.length} faults, tenants ${r.tenants.map((t) => t.id).join(' ')}`;
  const stats = `  judged: ${r.stats}`;
  const warn = r.warnings.map((w) => `  warning: ${w.replace(/\n/g, ' ').slice(0, 300)}`);
  if (!r.findings.length && !verbose) return [head, stats, ...warn].join('\n');
  const lines: string[] = [
    head,
    '',
    '  history (op n: tenant side kind → status outcome [appointment] {start}):',
  ];
  const events = [
    ...r.history.faults.map((f) => ({
      n: f.n,
      order: 0,
      text: `  -- fault before op ${f.n}: ${f.what}${f.tenant ? ` [${f.tenant}]` : ''}`,
    })),
    ...r.history.ops.map((o) => ({
      n: o.n,
      order: 1,
      text: `  op ${o.n}: ${o.tenant} ${o.side} ${o.kind} → ${o.status} ${o.outcome}${o.appointmentId ? ` [${o.appointmentId}]` : ''}${o.uid ? ` uid ${o.uid}` : ''}${o.newUid ? ` → ${o.newUid}` : ''}${o.start ? ` {${o.start}}` : ''}${o.duringOutage ? ' (outage)' : ''}`,
    })),
  ].sort((a, b) => a.n - b.n || a.order - b.order);
  lines.push(
    ...events.map((e) => e.text),
    '',
    stats,
    ...r.reviews.map((x) => `  review ${x}`),
    '  findings:',
  );
  for (const f of r.findings) lines.push(`  ✗ [${f.check}] ${f.tenant}: ${f.detail}`);
  lines.push(
    ...warn,
    '',
    `  replay: npm run test:chaos -- ${flags}--seed ${r.seed}`,
    `  service logs: ${logDir}`,
    '',
  );
  return lines.join('\n');
}
