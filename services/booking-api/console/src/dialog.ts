/**
 * Modal dialogs on the native <dialog>: showModal() makes the page behind inert
 * (focus stays inside), Escape closes, and focus returns to what opened it.
 * Form fields carry their own error line, tied to the input with
 * aria-describedby, so an API error lands next to the field it is about.
 */
import { ApiError } from './api.js';
import { h, uid, type Child } from './dom.js';
import { lang, t } from './i18n.js';

export interface FieldSpec {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'tel' | 'datetime-local' | 'password' | 'textarea' | 'select';
  value?: string;
  required?: boolean;
  hint?: string;
  autocomplete?: string;
  options?: { value: string; label: string }[];
  maxlength?: number;
}

export function field(spec: FieldSpec): HTMLElement {
  const id = uid(`f-${spec.name.replace(/\W/g, '-')}`);
  const hintId = spec.hint ? `${id}-hint` : undefined;
  const errId = `${id}-err`;
  const common = {
    id,
    name: spec.name,
    required: spec.required,
    'aria-describedby': [hintId, errId].filter(Boolean).join(' '),
    autocomplete: spec.autocomplete ?? 'off',
  };
  let control: HTMLElement;
  if (spec.type === 'textarea')
    control = h('textarea', { ...common, rows: 3, maxlength: spec.maxlength }, spec.value ?? '');
  else if (spec.type === 'select')
    control = h(
      'select',
      common,
      (spec.options ?? []).map((o) =>
        h('option', { value: o.value, selected: o.value === spec.value }, o.label),
      ),
    );
  else
    control = h('input', {
      ...common,
      type: spec.type ?? 'text',
      value: spec.value ?? '',
      maxlength: spec.maxlength,
    });
  return h(
    'div',
    { class: 'field', 'data-field': spec.name },
    h('label', { for: id }, spec.label),
    spec.hint ? h('p', { class: 'hint', id: hintId }, spec.hint) : null,
    control,
    h('p', { class: 'field-error', id: errId, hidden: true }),
  );
}

export function valueOf(form: HTMLFormElement, name: string): string {
  const el = form.elements.namedItem(name);
  return el instanceof HTMLInputElement ||
    el instanceof HTMLTextAreaElement ||
    el instanceof HTMLSelectElement
    ? el.value.trim()
    : '';
}

export function clearErrors(form: HTMLFormElement): void {
  for (const p of form.querySelectorAll<HTMLElement>('.field-error, .form-error')) {
    p.hidden = true;
    p.textContent = '';
  }
  for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
}

/** Shows `message` under the field (or at the top of the form); true when the field exists. */
export function showError(form: HTMLFormElement, fieldName: string | null, message: string): boolean {
  const box = fieldName ? form.querySelector<HTMLElement>(`[data-field="${CSS.escape(fieldName)}"]`) : null;
  if (box) {
    const p = box.querySelector<HTMLElement>('.field-error')!;
    p.textContent = message;
    p.hidden = false;
    box.querySelector('input, select, textarea')?.setAttribute('aria-invalid', 'true');
    return true;
  }
  const top = form.querySelector<HTMLElement>('.form-error')!;
  top.textContent = top.textContent ? `${top.textContent} ${message}` : message;
  top.hidden = false;
  return false;
}

/**
 * An API refusal in words, placed where it belongs: validation issues under their
 * fields (`customer.email` → the e-mail field), "slot taken" under the time.
 * `fieldFor` maps an API path to a field name of this form.
 */
export function showApiError(form: HTMLFormElement, err: unknown, fieldFor: (path: string) => string | null) {
  clearErrors(form);
  if (!(err instanceof ApiError)) return showError(form, null, t('errGeneric', { message: String(err) }));
  if (err.status === 0) return showError(form, null, t('errNetwork'));
  switch (err.code) {
    case 'slot_taken':
      return showError(form, fieldFor('start'), t('errSlotTaken'));
    case 'already_cancelled':
      return showError(form, null, t('errAlreadyCancelled'));
    case 'not_found':
      return showError(form, null, t('errNotFound'));
  }
  if (err.code === 'invalid_request' && err.details.length) {
    // The API speaks English; a German page says so in German and keeps the detail.
    const say = (m: string) => (lang() === 'en' ? m : `${t('errInvalid')} (${m})`);
    for (const d of err.details) showError(form, fieldFor(d.path), say(d.message));
    return;
  }
  showError(form, fieldFor(/^Invalid body: ([\w.]+):/.exec(err.message)?.[1] ?? ''), err.message);
}

export interface DialogSpec {
  title: string;
  body: Child[];
  submitLabel: string;
  /** Label of the button that closes without acting. */
  closeLabel?: string;
  danger?: boolean;
  /** Resolves true when done (the dialog closes), false to stay open (errors are shown). */
  onSubmit(form: HTMLFormElement): Promise<boolean>;
}

export function openDialog(spec: DialogSpec): HTMLDialogElement {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const titleId = uid('dlg-title');
  const submit = h('button', { type: 'submit', class: spec.danger ? 'danger' : 'primary' }, spec.submitLabel);
  const form = h(
    'form',
    { method: 'dialog', novalidate: true },
    h('h2', { id: titleId }, spec.title),
    h('p', { class: 'form-error', role: 'alert', tabindex: -1, hidden: true }),
    ...spec.body,
    h(
      'div',
      { class: 'dialog-actions' },
      h(
        'button',
        { type: 'button', value: 'close', onclick: () => dialog.close() },
        spec.closeLabel ?? t('close'),
      ),
      submit,
    ),
  );
  const dialog = h('dialog', { 'aria-labelledby': titleId }, form);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (submit.disabled) return;
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    void spec
      .onSubmit(form)
      .then((done) => {
        if (done) dialog.close();
        else focusFirstError(form);
      })
      .finally(() => {
        submit.disabled = false;
        form.removeAttribute('aria-busy');
      });
  });
  dialog.addEventListener('close', () => {
    dialog.remove();
    // The opener may have been drawn anew meanwhile (its row changed): the same control then.
    const key = opener?.dataset.focus;
    const again = key ? document.querySelector<HTMLElement>(`[data-focus="${CSS.escape(key)}"]`) : null;
    const target = opener?.isConnected
      ? opener
      : (again ?? document.querySelector<HTMLElement>('main h2, main'));
    target?.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  // The first field, or the safe button of a question.
  (form.querySelector<HTMLElement>('input, select, textarea') ?? form.querySelector('button'))?.focus();
  return dialog;
}

function focusFirstError(form: HTMLFormElement) {
  const invalid = form.querySelector<HTMLElement>('[aria-invalid="true"]');
  if (invalid) invalid.focus();
  else form.querySelector<HTMLElement>('.form-error:not([hidden])')?.focus();
}

/** A yes/no question: `act` runs on yes; the dialog stays open with its error when it fails. */
export function confirmDialog(spec: {
  title: string;
  question: string;
  confirmLabel: string;
  extra?: Child[];
  danger?: boolean;
  act: (form: HTMLFormElement) => Promise<boolean>;
}): void {
  openDialog({
    title: spec.title,
    body: [h('p', {}, spec.question), ...(spec.extra ?? [])],
    submitLabel: spec.confirmLabel,
    closeLabel: t('keep'),
    danger: spec.danger,
    onSubmit: spec.act,
  });
}
