/**
 * Row 6: a backlog of 200 appointments drained against a Cal.com budget. The
 * sandbox throttles each key like Cal.com (a fixed window of BUDGET calls per
 * minute; going over answers 429 and blocks the key for a minute) and each
 * tenant's `rateLimitPerMinute` is the same BUDGET. The backlog is created
 * with calcom-sync stopped; then calcom-sync starts and drains it.
 *
 * The repetitions run side by side: one tenant per repetition, each with its
 * own key and so its own budget (in turn they would take minutes each). The
 * raw limit is the budget itself: the ideal drain is BACKLOG / BUDGET.
 */
import type { Group } from '../lib/group';
import { profileFromNow } from '../lib/infra';
import { closedLoop } from '../lib/http';
import { ratios, stat, until } from '../lib/stats';
import { bookingsByAppointment, startSystem, type Created } from '../lib/system';
import { fig } from '../lib/table';
import { maskedKey } from '../lib/tenants';

const BACKLOG = 200;
const BUDGET_PER_MIN = 400;
const DRAIN_TIMEOUT_MS = 150_000;

interface Drain {
  drainS: number;
  done: number;
  used: number;
  calls: number;
  throttled: number;
}

export const budgetGroup: Group = {
  name: 'budget',
  rows: [
    {
      id: 6,
      name: 'budget',
      describe: `a backlog of ${BACKLOG} against a Cal.com budget of ${BUDGET_PER_MIN}/min: budget used, 429s, drain time vs ideal`,
    },
  ],
  async run({ cleanup, log, reps }) {
    log(`budget: starting booking-api, webhook-gateway and the sandbox (${BUDGET_PER_MIN}/min per key)`);
    const sys = await startSystem(cleanup, {
      prefix: 'bg',
      tenants: reps,
      eventTypesEach: 1,
      rateLimitPerMinute: BUDGET_PER_MIN,
      sandboxRateLimit: { limit: BUDGET_PER_MIN, windowMs: 60_000, blockMs: 60_000 },
      deferSync: true,
    });
    try {
      log(`budget: a backlog of ${BACKLOG} appointments for each of ${reps} tenants`);
      const created: Created[] = [];
      const r = await closedLoop({
        concurrency: 8,
        durationMs: 120_000,
        maxRequests: BACKLOG * reps,
        send: sys.sender(created),
      });
      if (r.failed) throw new Error(`backlog creates failed: ${r.failures.join(' | ')}`);
      const { appointments } = sys.infra.nats.topology.streams;
      await until(
        async () =>
          (await sys.infra.nats.jsm.streams.info(appointments.name)).state.messages >= created.length,
        30_000,
      );
      sys.sandbox.resetCalls();
      log('budget: calcom-sync starts and drains it');
      profileFromNow();
      await sys.startSync();
      await until(
        () => {
          const seen = bookingsByAppointment(sys.sandbox);
          return created.every((c) => seen.has(c.id));
        },
        DRAIN_TIMEOUT_MS,
        250,
      );
      // A call is logged once answered, after its webhook: the last ones are still under way.
      await sys.settle();
      const seen = bookingsByAppointment(sys.sandbox);
      const idealS = (BACKLOG / BUDGET_PER_MIN) * 60;
      const drains: Drain[] = sys.tenants.map((t) => {
        const calls = sys.sandbox
          .calls({ kind: 'api' })
          .filter((c) => c.apiKey === maskedKey(t.calcomApiKey));
        const first = Math.min(...calls.map((c) => Date.parse(c.at)));
        const mine = created.filter((c) => c.tenant.id === t.id);
        const stored = mine.filter((c) => seen.has(c.id)).map((c) => seen.get(c.id)!);
        const done = stored.length;
        const end = done === mine.length ? Math.max(...stored) : first + DRAIN_TIMEOUT_MS;
        const drainS = (end - first) / 1000;
        return {
          drainS: done === mine.length ? drainS : NaN,
          done,
          used: done / drainS / (BUDGET_PER_MIN / 60),
          calls: calls.length,
          throttled: calls.filter((c) => c.status === 429).length,
        };
      });
      const used = stat(drains.map((d) => d.used));
      const throttled = stat(drains.map((d) => d.throttled));
      const ideal = drains.map(() => idealS);
      return [
        {
          id: 6,
          name: 'budget',
          title: `a backlog of ${BACKLOG} against a Cal.com budget`,
          lines: [
            {
              measure: `a backlog of ${BACKLOG} against a budget of ${BUDGET_PER_MIN}/min: fraction of the budget used`,
              project: fig(used, ''),
              raw: `1 (${BUDGET_PER_MIN} bookings/min)`,
              goal: '>= 0.95',
              met: used.median >= 0.95,
            },
            {
              measure: '429 answers from Cal.com while draining',
              project: fig(throttled, ''),
              raw: '-',
              goal: '0',
              met: throttled.median === 0 && throttled.max === 0,
            },
            {
              measure: 'drained in',
              project: fig(stat(drains.map((d) => d.drainS)), ' s'),
              raw: fig(stat(ideal), ' s', `ideal: ${BACKLOG} / budget`),
              ratio: ratios(
                drains.map((d) => d.drainS),
                ideal,
              ),
              goal: '-',
              met: null,
            },
            {
              measure: 'Cal.com calls per appointment',
              project: fig(stat(drains.map((d) => d.calls / BACKLOG)), ''),
              raw: '1',
              goal: '-',
              met: null,
            },
          ],
          notes: [
            `${reps} tenants drain side by side, one per repetition, each against its own key (sandbox: ${BUDGET_PER_MIN} calls per 60 s window per key, 429 + 60 s block beyond) and rateLimitPerMinute ${BUDGET_PER_MIN}; drain = first Cal.com call of the tenant -> its last booking stored; budget used = bookings/s ÷ budget/s`,
            `drained / backlog: ${drains.map((d) => `${d.done}/${BACKLOG}`).join(', ')} (timeout ${DRAIN_TIMEOUT_MS / 1000} s)`,
          ],
        },
      ];
    } finally {
      await sys.release();
    }
  },
};
