/**
 * Create, edit, reschedule ("Verschieben"), cancel ("Stornieren") and bulk
 * cancel, each in a dialog the user confirms. Times are entered in the tenant's
 * zone; the API's refusals are shown next to the field they concern.
 */
import type { Appointment, CreateBody } from './api.js';
import type { Ctx } from './context.js';
import { confirmDialog, field, openDialog, showApiError, showError, valueOf } from './dialog.js';
import { h, toast } from './dom.js';
import { t, type MessageKey } from './i18n.js';
import { fullWhenOf, timeOf } from './labels.js';
import { fromLocalInput, toLocalInput } from './time.js';

/** API paths (`customer.email`) to this form's field names. */
function fieldFor(path: string): string | null {
  const map: Record<string, string> = {
    start: 'start',
    eventTypeId: 'eventTypeId',
    'customer.name': 'name',
    'customer.email': 'email',
    'customer.phone': 'phone',
    'customer.timeZone': 'timeZone',
    customer: 'email',
    notes: 'notes',
    reason: 'reason',
  };
  return map[path] ?? null;
}

function customerFields(c?: Appointment['customer'], zone?: string) {
  return [
    field({ name: 'name', label: t('customerName'), value: c?.name, required: true, maxlength: 200 }),
    field({ name: 'email', label: t('email'), type: 'email', value: c?.email ?? '' }),
    field({ name: 'phone', label: t('phone'), type: 'tel', value: c?.phone ?? '' }),
    field({ name: 'timeZone', label: t('customerTimeZone'), value: c?.timeZone ?? zone, required: true }),
  ];
}

function customerOf(form: HTMLFormElement) {
  const email = valueOf(form, 'email');
  const phone = valueOf(form, 'phone');
  return {
    name: valueOf(form, 'name'),
    ...(email ? { email } : {}),
    ...(phone ? { phone } : {}),
    timeZone: valueOf(form, 'timeZone'),
  };
}

/** Date and time, entered in the practice's zone (said under the label). */
const startField = (label: string, iso: string, zone: string) =>
  field({
    name: 'start',
    label,
    type: 'datetime-local',
    value: toLocalInput(iso, zone),
    required: true,
    hint: t('timeZoneNote', { zone }),
  });

/** The instant in the form's `start` field, or null after showing why not. */
function startOf(form: HTMLFormElement, zone: string): string | null {
  const iso = fromLocalInput(valueOf(form, 'start'), zone);
  if (!iso) showError(form, 'start', t('errInvalid'));
  return iso;
}

/**
 * Runs an API call for a form: when it works, says `done` and hands the answer on (true);
 * otherwise the error is shown at its field (false, the dialog stays open).
 */
async function attempt<T>(
  form: HTMLFormElement,
  call: () => Promise<T>,
  done: MessageKey | null,
  then: (v: T) => void,
) {
  try {
    const v = await call();
    if (done) toast(t(done));
    then(v);
    return true;
  } catch (err) {
    showApiError(form, err, fieldFor);
    return false;
  }
}

export function createDialog(ctx: Ctx, defaultStart: string, onDone: (a: Appointment) => void) {
  const zone = ctx.settings.timeZone;
  openDialog({
    title: t('createTitle'),
    submitLabel: t('create'),
    body: [
      field({
        name: 'eventTypeId',
        label: t('eventType'),
        type: 'select',
        options: ctx.settings.eventTypes.map((e) => ({
          value: String(e.id),
          label: `${e.title} (${e.lengthInMinutes} min)`,
        })),
      }),
      startField(t('start'), defaultStart, zone),
      ...customerFields(undefined, zone),
      field({ name: 'notes', label: t('notes'), type: 'textarea', maxlength: 2000 }),
    ],
    onSubmit: async (form) => {
      const start = startOf(form, zone);
      if (!start) return false;
      const notes = valueOf(form, 'notes');
      const body: CreateBody = {
        eventTypeId: Number(valueOf(form, 'eventTypeId')),
        start,
        customer: customerOf(form),
        ...(notes ? { notes } : {}),
      };
      return attempt(form, () => ctx.api.create(body), 'created', onDone);
    },
  });
}

export function editDialog(ctx: Ctx, a: Appointment, onDone: (a: Appointment) => void) {
  openDialog({
    title: t('editTitle'),
    submitLabel: t('save'),
    body: [
      h('p', { class: 'dialog-subject' }, fullWhenOf(a.start, ctx.settings.timeZone)),
      ...customerFields(a.customer),
      field({ name: 'notes', label: t('notes'), type: 'textarea', value: a.notes ?? '', maxlength: 2000 }),
    ],
    onSubmit: async (form) => {
      const customer = customerOf(form);
      const notes = valueOf(form, 'notes') || null;
      const before = a.customer;
      const same =
        customer.name === before.name &&
        (customer.email ?? null) === before.email &&
        (customer.phone ?? null) === before.phone &&
        customer.timeZone === before.timeZone &&
        notes === a.notes;
      if (same) {
        toast(t('nothingChanged'));
        return true;
      }
      return attempt(form, () => ctx.api.patch(a.id, { customer, notes }), 'saved', onDone);
    },
  });
}

export function rescheduleDialog(ctx: Ctx, a: Appointment, onDone: (a: Appointment) => void) {
  const zone = ctx.settings.timeZone;
  openDialog({
    title: t('rescheduleTitle'),
    submitLabel: t('rescheduleConfirm'),
    body: [
      h('p', { class: 'dialog-subject' }, a.customer.name),
      h('p', {}, t('currently', { when: fullWhenOf(a.start, zone) })),
      startField(t('newStart'), a.start, zone),
      field({ name: 'reason', label: t('reason'), maxlength: 500 }),
    ],
    onSubmit: async (form) => {
      const start = startOf(form, zone);
      if (!start) return false;
      const reason = valueOf(form, 'reason') || undefined;
      return attempt(form, () => ctx.api.reschedule(a.id, start, reason), 'rescheduled', onDone);
    },
  });
}

export function cancelDialog(ctx: Ctx, a: Appointment, onDone: (a: Appointment) => void) {
  confirmDialog({
    title: t('cancelTitle'),
    question: t('cancelQuestion', {
      name: a.customer.name,
      when: fullWhenOf(a.start, ctx.settings.timeZone),
    }),
    confirmLabel: t('cancelConfirm'),
    danger: true,
    extra: [field({ name: 'reason', label: t('reason'), maxlength: 500 })],
    act: (form) =>
      attempt(form, () => ctx.api.cancel(a.id, valueOf(form, 'reason') || undefined), 'cancelled', onDone),
  });
}

export function bulkCancelDialog(ctx: Ctx, items: Appointment[], onDone: (failedIds: string[]) => void) {
  const zone = ctx.settings.timeZone;
  confirmDialog({
    title: t('bulkTitle', { n: items.length }),
    question: t('bulkQuestion', { n: items.length }),
    confirmLabel: t('cancelConfirm'),
    danger: true,
    extra: [
      h(
        'ul',
        { class: 'bulk-list' },
        items.map((a) => h('li', {}, `${fullWhenOf(a.start, zone)} · ${a.customer.name}`)),
      ),
      field({ name: 'reason', label: t('reason'), maxlength: 500 }),
    ],
    act: (form) =>
      attempt(
        form,
        () =>
          ctx.api.bulkCancel(
            items.map((a) => a.id),
            valueOf(form, 'reason') || undefined,
          ),
        null,
        ({ results }) => {
          const failed = results.filter((r) => !r.ok);
          toast(
            t('bulkResult', { ok: results.length - failed.length, failed: failed.length }),
            failed.length ? 'error' : 'ok',
          );
          onDone(failed.map((r) => r.id));
        },
      ),
  });
}

/** For buttons and checkboxes: whose appointment, at what time. */
export const describe = (a: Appointment, zone: string) => ({
  name: a.customer.name,
  time: timeOf(a.start, zone),
});
