/** A few lines instead of a framework: build elements, announce to screen readers. */

type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;
export type Child = Node | string | null | undefined | false;

/** `h('button', {class: 'x', onclick: fn}, 'Label')`. `on*` attributes become listeners; false/null are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

let idSeq = 0;
export const uid = (prefix: string) => `${prefix}-${++idSeq}`;

/** Polite live region: what changed, for those who cannot see it change. */
export function announce(message: string): void {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  // A new text node after a tick is read even when the same message repeats.
  setTimeout(() => (region.textContent = message), 50);
}

/** A short message at the top of the page that goes away by itself. */
export function toast(message: string, kind: 'ok' | 'error' = 'ok'): void {
  const box = document.getElementById('toasts');
  if (!box) return;
  const item = h('p', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
  box.append(item);
  setTimeout(() => item.remove(), 6_000);
}

/** Replaces an element's children, leaving out the empty ones. */
export function fill(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren(
    ...children.flat().filter((c): c is Node | string => c !== null && c !== undefined && c !== false),
  );
}
