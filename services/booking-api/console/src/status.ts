/** Sync status by origin over a chosen period, with the success rate of each (SPEC §4.2 sync/status). */
import { ORIGINS, SYNC_STATUSES, type SyncReport, type SyncStatus } from './api.js';
import { debounce, type Ctx, type View } from './context.js';
import { fill, h } from './dom.js';
import { t, type MessageKey } from './i18n.js';
import { originLabel, percent } from './labels.js';

const COLUMN: Record<SyncStatus, MessageKey> = {
  pending: 'countPending',
  synced: 'countSynced',
  failed: 'countFailed',
  skipped: 'countSkipped',
};

const PERIODS: [MessageKey, number][] = [
  ['last24h', 24],
  ['last7d', 7 * 24],
  ['last30d', 30 * 24],
];

/** (synced + skipped) / finished, as the API counts it; null while nothing finished. */
function rate(c: Record<SyncStatus, number>): number | null {
  const ok = c.synced + c.skipped;
  return ok + c.failed ? ok / (ok + c.failed) : null;
}

export function createStatusView(ctx: Ctx): View {
  const el = h('section', { class: 'view status' });
  let hours = 24;
  let report: SyncReport | null = null;
  let error: string | null = null;

  async function load() {
    try {
      report = await ctx.api.syncStatus(new Date(ctx.now().getTime() - hours * 3600_000));
      error = null;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    renderResults();
  }

  const rateCell = (r: number | null) =>
    h(
      'td',
      { class: 'rate' },
      r === null
        ? t('noneFinished')
        : [
            h('meter', { min: 0, max: 1, low: 0.9, high: 0.99, optimum: 1, value: r, 'aria-hidden': 'true' }),
            ` ${percent(r)}`,
          ],
    );

  function table(r: SyncReport): HTMLElement {
    const totals = Object.fromEntries(
      SYNC_STATUSES.map((s) => [s, ORIGINS.reduce((n, o) => n + r.byOrigin[o][s], 0)]),
    ) as Record<SyncStatus, number>;
    return h(
      'table',
      { class: 'status-table' },
      h('caption', { class: 'sr-only' }, t('statusTitle')),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t('origin')),
          SYNC_STATUSES.map((s) => h('th', { scope: 'col' }, t(COLUMN[s]))),
          h('th', { scope: 'col' }, t('successRate')),
        ),
      ),
      h(
        'tbody',
        {},
        ORIGINS.map((o) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, originLabel(o)),
            SYNC_STATUSES.map((s) => h('td', {}, String(r.byOrigin[o][s]))),
            rateCell(rate(r.byOrigin[o])),
          ),
        ),
      ),
      h(
        'tfoot',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, t('total')),
          SYNC_STATUSES.map((s) => h('td', {}, String(totals[s]))),
          rateCell(r.successRate),
        ),
      ),
    );
  }

  const results = h('div', { class: 'status-results' });

  function renderResults() {
    fill(
      results,
      error ? h('p', { class: 'form-error', role: 'alert' }, t('loadFailed', { message: error })) : null,
      report ? h('div', { class: 'table-wrap' }, table(report)) : h('p', {}, t('loading')),
      report ? h('p', {}, t('reviewQueueCount', { n: report.reviewQueue })) : null,
    );
  }

  function render() {
    fill(
      el,
      h('h2', { tabindex: -1 }, t('statusTitle')),
      h(
        'label',
        { class: 'filter' },
        h('span', {}, t('period')),
        h(
          'select',
          {
            onchange: (e: Event) => {
              hours = Number((e.target as HTMLSelectElement).value);
              void load();
            },
          },
          PERIODS.map(([label, n]) => h('option', { value: n, selected: n === hours }, t(label))),
        ),
      ),
      results,
    );
    renderResults();
  }

  const reload = debounce(() => void load(), 1_000);
  render();
  return { el, load, render, onLive: () => reload() };
}
