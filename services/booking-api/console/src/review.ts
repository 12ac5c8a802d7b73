/**
 * The manual-review queue: our appointment and Cal.com's booking side by side,
 * what differs marked (in words too, not only colour), the reason said for
 * staff, and the four ways out: keep ours, keep Cal.com's, retry, dismiss.
 */
import type { Appointment, CalcomSide, Resolution, ReviewItem } from './api.js';
import { debounce, type Ctx, type View } from './context.js';
import { confirmDialog } from './dialog.js';
import { fill, h, toast } from './dom.js';
import { t, type MessageKey } from './i18n.js';
import { fullWhenOf, reasonText, statusLabel } from './labels.js';
import type { LiveMessage } from './live.js';

interface Row {
  label: MessageKey;
  local: string;
  calcom: string;
}

function rows(a: Appointment, c: CalcomSide | null, zone: string): Row[] {
  const when = (iso: string | undefined) => (iso ? fullWhenOf(iso, zone) : '—');
  const calcomStatus = c?.status
    ? statusLabel(/cancel|reject/i.test(c.status) ? 'cancelled' : 'booked')
    : '—';
  const attendee = c?.attendees?.[0];
  return [
    { label: 'fieldStart', local: when(a.start), calcom: c ? when(c.start) : '—' },
    { label: 'fieldEnd', local: when(a.end), calcom: c ? when(c.end) : '—' },
    { label: 'fieldStatus', local: statusLabel(a.status), calcom: c ? calcomStatus : '—' },
    { label: 'fieldCustomer', local: a.customer.name, calcom: attendee?.name ?? '—' },
    { label: 'fieldEmail', local: a.customer.email ?? '—', calcom: attendee?.email ?? '—' },
  ];
}

export function createReviewView(ctx: Ctx): View {
  const zone = ctx.settings.timeZone;
  const el = h('section', { class: 'view review' });
  let items: ReviewItem[] = [];
  let loaded = false;
  let error: string | null = null;

  async function load() {
    try {
      items = (await ctx.api.review()).items;
      error = null;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    loaded = true;
    render();
  }

  async function act(form: HTMLFormElement | null, item: ReviewItem, what: Resolution | 'retry') {
    const id = item.appointment.id;
    try {
      if (what === 'retry') await ctx.api.retry(id);
      else await ctx.api.resolve(id, what);
      toast(t(what === 'retry' ? 'retried' : 'resolved'));
      ctx.reviewChanged();
      await load();
      // The card and its buttons may be gone: the heading is a stable place for focus.
      if (!form) el.querySelector<HTMLElement>('h2')?.focus();
      return true;
    } catch (err) {
      const message = t('errGeneric', { message: err instanceof Error ? err.message : String(err) });
      if (form) {
        const p = form.querySelector<HTMLElement>('.form-error')!;
        p.textContent = message;
        p.hidden = false;
      } else toast(message, 'error');
      return false;
    }
  }

  function ask(item: ReviewItem, resolution: Resolution) {
    const name = item.appointment.customer.name;
    const q: Record<Resolution, MessageKey> = {
      'keep-local': 'resolveKeepLocalQ',
      'keep-calcom': 'resolveKeepCalcomQ',
      dismiss: 'resolveDismissQ',
    };
    const label: Record<Resolution, MessageKey> = {
      'keep-local': 'keepLocal',
      'keep-calcom': 'keepCalcom',
      dismiss: 'dismiss',
    };
    confirmDialog({
      title: t(label[resolution]),
      question: t(q[resolution], { name }),
      confirmLabel: t(label[resolution]),
      act: (form) => act(form, item, resolution),
    });
  }

  function card(item: ReviewItem): HTMLElement {
    const a = item.appointment;
    const titleId = `rv-${a.id}`;
    const compare = rows(a, item.calcom, zone);
    const button = (label: MessageKey, run: () => void, disabled = false) =>
      h('button', { type: 'button', 'aria-describedby': titleId, disabled, onclick: run }, t(label));
    return h(
      'article',
      { class: 'review-item', 'aria-labelledby': titleId, 'data-id': a.id },
      h('h3', { id: titleId }, `${a.customer.name} · ${fullWhenOf(a.start, zone)}`),
      h('p', { class: 'reason' }, reasonText(item.reason ?? a.sync.errorCode)),
      item.flaggedAt
        ? h('p', { class: 'meta' }, t('flaggedAt', { when: fullWhenOf(item.flaggedAt, zone) }))
        : null,
      item.calcom ? null : h('p', { class: 'meta' }, t('noCalcomVersion')),
      h(
        'table',
        { class: 'compare' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, t('field')),
            h('th', { scope: 'col' }, t('local')),
            h('th', { scope: 'col' }, t('calcom')),
          ),
        ),
        h(
          'tbody',
          {},
          compare.map((r) => {
            const differs = item.calcom !== null && r.local !== r.calcom;
            return h(
              'tr',
              { class: differs ? 'diff' : '' },
              h('th', { scope: 'row' }, t(r.label)),
              h('td', {}, r.local),
              h(
                'td',
                {},
                differs ? h('mark', {}, r.calcom) : r.calcom,
                differs ? h('span', { class: 'sr-only' }, ` (${t('differs')})`) : null,
              ),
            );
          }),
        ),
      ),
      h(
        'div',
        { class: 'review-actions' },
        button('keepLocal', () => ask(item, 'keep-local')),
        button('keepCalcom', () => ask(item, 'keep-calcom'), item.calcom === null),
        button('retry', () => void act(null, item, 'retry')),
        button('dismiss', () => ask(item, 'dismiss')),
      ),
    );
  }

  function render() {
    fill(
      el,
      h('h2', { tabindex: -1 }, t('reviewTitle')),
      h('p', {}, t('reviewIntro')),
      error ? h('p', { class: 'form-error', role: 'alert' }, t('loadFailed', { message: error })) : null,
      !loaded
        ? h('p', {}, t('loading'))
        : items.length
          ? h('div', { class: 'review-list' }, items.map(card))
          : h('p', { class: 'empty' }, t('reviewEmpty')),
    );
  }

  const reload = debounce(() => void load(), 500);
  const onLive = (m: LiveMessage) => {
    if (m.type !== 'appointment') reload();
    else if (items.some((i) => i.appointment.id === m.appointmentId)) reload();
  };

  render();
  return { el, load, render, onLive };
}
