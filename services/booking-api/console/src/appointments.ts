/**
 * Appointments by day or week in the tenant's time zone, with filters, search by
 * customer name and bulk cancel. Live events update single rows in place (the
 * row is read again from the API: events are only wake-ups).
 */
import { ORIGINS, SYNC_STATUSES, type Appointment } from './api.js';
import {
  bulkCancelDialog,
  cancelDialog,
  createDialog,
  describe,
  editDialog,
  rescheduleDialog,
} from './appointment-forms.js';
import { debounce, type Ctx, type View } from './context.js';
import { announce, fill, h } from './dom.js';
import { t } from './i18n.js';
import {
  badges,
  dayTitle,
  originLabel,
  rangeTitle,
  statusLabel,
  syncLabel,
  timeOf,
  whenOf,
} from './labels.js';
import type { LiveMessage } from './live.js';
import { addDays, dayKeyOf, fromLocalInput, startOfDay, weekStartOf, type DayKey } from './time.js';

interface Filters {
  q: string;
  status: string;
  origin: string;
  sync: string;
  review: boolean;
}

/** Search ignores case and accents: "muller" finds "Müller". */
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase();

export function createAppointmentsView(ctx: Ctx): View {
  const zone = ctx.settings.timeZone;
  let mode: 'day' | 'week' = 'week';
  let anchor: DayKey = dayKeyOf(ctx.now(), zone);
  const items = new Map<string, Appointment>();
  const selected = new Set<string>();
  /** Rows changed by a live event a moment ago: shown highlighted. */
  const fresh = new Map<string, number>();
  const filters: Filters = { q: '', status: '', origin: '', sync: '', review: false };
  let loadError: string | null = null;
  /** Whether the user unfolded the filters on a narrow screen (wide screens always show them). */
  let filtersOpen = false;
  const wide = () => window.matchMedia('(min-width: 701px)').matches;
  const filterSummary = () => {
    const n = [filters.status, filters.origin, filters.sync, filters.review].filter(Boolean).length;
    return n ? `${t('filters')} (${n})` : t('filters');
  };
  let loading = false;
  const el = h('section', { class: 'view appointments' });

  const days = (): DayKey[] => {
    const first = mode === 'day' ? anchor : weekStartOf(anchor);
    return Array.from({ length: mode === 'day' ? 1 : 7 }, (_, i) => addDays(first, i));
  };
  const range = () => {
    const d = days();
    return { from: startOfDay(d[0]!, zone), to: startOfDay(addDays(d[d.length - 1]!, 1), zone) };
  };
  const inRange = (a: Appointment) => {
    const { from, to } = range();
    const s = new Date(a.start).getTime();
    return s >= from.getTime() && s < to.getTime();
  };
  const visible = (a: Appointment) =>
    (!filters.status || a.status === filters.status) &&
    (!filters.origin || a.origin === filters.origin) &&
    (!filters.sync || a.sync.status === filters.sync) &&
    (!filters.review || a.sync.requiresManualReview) &&
    (!filters.q || fold(a.customer.name).includes(fold(filters.q)));

  async function load() {
    loading = true;
    renderList();
    try {
      const { from, to } = range();
      const list = await ctx.api.appointments(from, to);
      items.clear();
      for (const a of list) items.set(a.id, a);
      for (const id of [...selected]) if (!items.has(id)) selected.delete(id);
      loadError = null;
    } catch (err) {
      loadError = err instanceof Error ? err.message : String(err);
    } finally {
      loading = false;
    }
    renderList();
  }

  /** Puts an appointment the API just returned into view (or out of it, when it moved away). */
  function upsert(a: Appointment, live = false) {
    const known = items.has(a.id);
    if (inRange(a)) items.set(a.id, a);
    else items.delete(a.id);
    if (live) {
      fresh.set(a.id, Date.now());
      if (!known && inRange(a))
        announce(t('liveNew', { name: a.customer.name, when: whenOf(a.start, zone) }));
      else if (known) announce(t('liveChanged', { name: a.customer.name, state: syncLabel(a.sync.status) }));
    }
    renderList();
  }

  const pending = new Set<string>();
  const fetchChanged = debounce(() => {
    const ids = [...pending];
    pending.clear();
    for (const id of ids)
      ctx.api.appointment(id).then(
        (a) => upsert(a, true),
        () => undefined, // gone or unreachable: the next full load tells
      );
  }, 150);
  const reloadSoon = debounce(() => void load(), 300);

  function onLive(m: LiveMessage) {
    if (m.type === 'ready' || m.type === 'resync') return reloadSoon();
    pending.add(m.appointmentId);
    fetchChanged();
  }

  function go(to: DayKey, newMode = mode) {
    mode = newMode;
    anchor = to;
    render();
    void load();
  }

  const step = (dir: 1 | -1) => go(addDays(anchor, dir * (mode === 'day' ? 1 : 7)));

  /** Where a new appointment starts by default: the next full hour when today is shown, else 09:00 of the first day. */
  function defaultStart(): string {
    const now = ctx.now();
    const today = dayKeyOf(now, zone);
    const d = days();
    if (d.includes(today) || d[d.length - 1]! < today)
      return new Date(Math.ceil(now.getTime() / 3600_000) * 3600_000).toISOString();
    return fromLocalInput(`${d[0]!}T09:00`, zone)!;
  }

  const listBox = h('div', { class: 'days' });
  const bulkBox = h('div', { class: 'bulkbar' });

  function select(label: string, key: 'status' | 'origin' | 'sync', options: [string, string][]) {
    return h(
      'label',
      { class: 'filter' },
      h('span', {}, label),
      h(
        'select',
        {
          'data-focus': `filter-${key}`,
          onchange: (e: Event) => {
            filters[key] = (e.target as HTMLSelectElement).value;
            renderList();
          },
        },
        h('option', { value: '' }, t('all')),
        options.map(([v, l]) => h('option', { value: v, selected: filters[key] === v }, l)),
      ),
    );
  }

  function render() {
    const d = days();
    const pressed = (m: 'day' | 'week') => (mode === m ? 'true' : 'false');
    fill(
      el,
      h('h2', { tabindex: -1 }, `${t('navAppointments')}: ${rangeTitle(d[0]!, d[d.length - 1]!)}`),
      h(
        'div',
        { class: 'toolbar' },
        h(
          'div',
          { class: 'segmented', role: 'group', 'aria-label': t('view') },
          h(
            'button',
            { type: 'button', 'aria-pressed': pressed('day'), onclick: () => go(anchor, 'day') },
            t('day'),
          ),
          h(
            'button',
            { type: 'button', 'aria-pressed': pressed('week'), onclick: () => go(anchor, 'week') },
            t('week'),
          ),
        ),
        h(
          'div',
          { class: 'pager' },
          h('button', { type: 'button', 'aria-label': t('previous'), onclick: () => step(-1) }, '‹'),
          h('button', { type: 'button', onclick: () => go(dayKeyOf(ctx.now(), zone)) }, t('today')),
          h('button', { type: 'button', 'aria-label': t('next'), onclick: () => step(1) }, '›'),
        ),
        h('p', { class: 'tz-note' }, t('timeZoneNote', { zone })),
        h(
          'button',
          {
            type: 'button',
            class: 'primary',
            onclick: () => createDialog(ctx, defaultStart(), (a) => upsert(a)),
          },
          t('newAppointment'),
        ),
      ),
      h(
        'form',
        {
          class: 'filters',
          role: 'search',
          'aria-label': t('filters'),
          onsubmit: (e: Event) => e.preventDefault(),
        },
        h(
          'label',
          { class: 'filter search' },
          h('span', {}, t('search')),
          h('input', {
            type: 'search',
            value: filters.q,
            autocomplete: 'off',
            oninput: (e: Event) => {
              filters.q = (e.target as HTMLInputElement).value;
              renderList();
            },
          }),
        ),
        // On a phone the filters fold away under one line; wide screens show them open.
        h(
          'details',
          {
            class: 'more-filters',
            open: wide() || filtersOpen,
            ontoggle: (e: Event) => void (filtersOpen = (e.target as HTMLDetailsElement).open),
          },
          h('summary', {}, filterSummary()),
          h(
            'div',
            { class: 'filter-row' },
            select(t('status'), 'status', [
              ['booked', statusLabel('booked')],
              ['cancelled', statusLabel('cancelled')],
            ]),
            select(
              t('origin'),
              'origin',
              ORIGINS.map((o) => [o, originLabel(o)]),
            ),
            select(
              t('syncState'),
              'sync',
              SYNC_STATUSES.map((s) => [s, syncLabel(s)]),
            ),
            h(
              'label',
              { class: 'filter check' },
              h('input', {
                type: 'checkbox',
                checked: filters.review,
                onchange: (e: Event) => {
                  filters.review = (e.target as HTMLInputElement).checked;
                  renderList();
                },
              }),
              h('span', {}, t('needsReview')),
            ),
          ),
        ),
      ),
      bulkBox,
      listBox,
    );
    renderList();
  }

  function row(a: Appointment): HTMLElement {
    const who = describe(a, zone);
    const nameId = `n-${a.id}`;
    const done = (x: Appointment) => upsert(x);
    const action = (key: string, label: string, run: () => void) =>
      h(
        'button',
        { type: 'button', 'data-focus': `${key}:${a.id}`, 'aria-describedby': nameId, onclick: run },
        label,
      );
    const isFresh = Date.now() - (fresh.get(a.id) ?? 0) < 2_500;
    return h(
      'li',
      { class: `appt status-${a.status}${isFresh ? ' fresh' : ''}`, 'data-id': a.id },
      a.status === 'booked'
        ? h('input', {
            type: 'checkbox',
            class: 'pick',
            'data-focus': `pick:${a.id}`,
            'aria-label': t('select', who),
            checked: selected.has(a.id),
            onchange: (e: Event) => {
              if ((e.target as HTMLInputElement).checked) selected.add(a.id);
              else selected.delete(a.id);
              renderBulk();
            },
          })
        : h('span', { class: 'pick' }),
      h('p', { class: 'appt-time' }, `${timeOf(a.start, zone)}–${timeOf(a.end, zone)}`),
      h(
        'div',
        { class: 'appt-main' },
        h('p', { class: 'appt-name', id: nameId }, a.customer.name),
        h(
          'p',
          { class: 'appt-type' },
          ctx.settings.eventTypes.find((e) => e.id === a.eventTypeId)?.title ?? '',
        ),
      ),
      badges(a),
      a.status === 'booked'
        ? h(
            'div',
            { class: 'appt-actions' },
            action('edit', t('edit'), () => editDialog(ctx, a, done)),
            action('move', t('reschedule'), () => rescheduleDialog(ctx, a, done)),
            action('cancel', t('cancel'), () => cancelDialog(ctx, a, done)),
          )
        : null,
    );
  }

  function renderBulk() {
    const shown = [...items.values()].filter((a) => visible(a) && a.status === 'booked');
    const picked = shown.filter((a) => selected.has(a.id));
    const all = h('input', {
      type: 'checkbox',
      'data-focus': 'pick-all',
      checked: shown.length > 0 && picked.length === shown.length,
      disabled: shown.length === 0,
      onchange: (e: Event) => {
        for (const a of shown) {
          if ((e.target as HTMLInputElement).checked) selected.add(a.id);
          else selected.delete(a.id);
        }
        renderList();
      },
    });
    fill(
      bulkBox,
      h('label', { class: 'filter check' }, all, h('span', {}, t('selectAll'))),
      h('span', { class: 'count', role: 'status' }, t('selected', { n: picked.length })),
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          'data-focus': 'bulk',
          disabled: picked.length === 0,
          onclick: () =>
            bulkCancelDialog(ctx, picked, (failed) => {
              selected.clear();
              for (const id of failed) selected.add(id);
              void load();
            }),
        },
        t('cancelSelected'),
      ),
    );
  }

  /** Draws the days again, keeping keyboard focus on the same control if it is still there. */
  function renderList() {
    const focusKey = (document.activeElement as HTMLElement | null)?.dataset?.focus;
    listBox.setAttribute('aria-busy', loading ? 'true' : 'false');
    const shown = [...items.values()].filter(visible).sort((x, y) => x.start.localeCompare(y.start));
    const today = dayKeyOf(ctx.now(), zone);
    const byDay = new Map<DayKey, Appointment[]>();
    for (const a of shown) {
      const k = dayKeyOf(new Date(a.start), zone);
      byDay.set(k, [...(byDay.get(k) ?? []), a]);
    }
    fill(
      listBox,
      loadError
        ? h('p', { class: 'form-error', role: 'alert' }, t('loadFailed', { message: loadError }))
        : null,
      ...days().map((k) => {
        const list = byDay.get(k) ?? [];
        const titleId = `day-${k}`;
        return h(
          'section',
          { class: 'day', 'aria-labelledby': titleId },
          h(
            'h3',
            { id: titleId },
            dayTitle(k),
            k === today ? h('span', { class: 'today' }, ` · ${t('today')}`) : null,
          ),
          list.length
            ? h('ul', { class: 'appts' }, list.map(row))
            : h('p', { class: 'empty' }, loading && !items.size ? t('loading') : t('noAppointments')),
        );
      }),
    );
    renderBulk();
    const summary = el.querySelector('.more-filters > summary');
    if (summary) summary.textContent = filterSummary();
    if (focusKey) el.querySelector<HTMLElement>(`[data-focus="${CSS.escape(focusKey)}"]`)?.focus();
  }

  render();
  return { el, load, render, onLive };
}
