/**
 * The staff console's shell: sign-in, the header (live state, language, sign
 * out), the three views, and the live event stream that feeds them. The admin
 * token exists only inside the Api object of the signed-in session.
 */
import { ApiError, createApi, type Api, type Settings } from './api.js';
import { createAppointmentsView } from './appointments.js';
import { debounce, type Ctx, type View } from './context.js';
import { field, showError, valueOf } from './dialog.js';
import { fill, h } from './dom.js';
import { langFromBrowser, lang, setLang, t, type MessageKey } from './i18n.js';
import { follow } from './live.js';
import { createReviewView } from './review.js';
import { createStatusView } from './status.js';

type Tab = 'appointments' | 'review' | 'status';
const TABS: [Tab, MessageKey][] = [
  ['appointments', 'navAppointments'],
  ['review', 'navReview'],
  ['status', 'navStatus'],
];

const root = document.getElementById('app')!;
let redraw: () => void = () => undefined;

function languageButton(): HTMLElement {
  return h(
    'button',
    {
      type: 'button',
      class: 'lang',
      lang: lang() === 'de' ? 'en' : 'de',
      'aria-label': t('switchLanguageLabel'),
      onclick: () => {
        setLang(lang() === 'de' ? 'en' : 'de');
        redraw();
        root.querySelector<HTMLElement>('button.lang')?.focus();
      },
    },
    t('switchLanguage'),
  );
}

function signIn(message?: string) {
  const form = h(
    'form',
    { class: 'signin-form', novalidate: true, 'aria-labelledby': 'signin-title' },
    h('h2', { id: 'signin-title' }, t('signInTitle')),
    h('p', {}, t('signInIntro')),
    h('p', { class: 'form-error', role: 'alert', tabindex: -1, hidden: !message }, message ?? ''),
    field({ name: 'tenant', label: t('tenantId'), required: true, autocomplete: 'username' }),
    field({ name: 'token', label: t('adminToken'), type: 'password', required: true, autocomplete: 'off' }),
    h('button', { type: 'submit', class: 'primary' }, t('signIn')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const api = createApi(valueOf(form, 'tenant'), valueOf(form, 'token'));
    api.settings().then(
      (settings) => start(api, settings),
      (err: unknown) => {
        const refused = err instanceof ApiError && [400, 401, 403, 404].includes(err.status);
        for (const p of form.querySelectorAll<HTMLElement>('.form-error')) p.hidden = true;
        showError(form, null, t(refused ? 'signInFailed' : 'signInUnavailable'));
        form.querySelector<HTMLElement>('.form-error')?.focus();
      },
    );
  });
  redraw = () => signIn(message);
  document.title = t('appTitle');
  fill(
    root,
    h(
      'main',
      { class: 'signin', id: 'main' },
      h('div', { class: 'signin-head' }, h('h1', {}, t('appTitle')), languageButton()),
      form,
    ),
  );
  form.querySelector<HTMLElement>(message ? '.form-error' : 'input')?.focus();
}

function start(api: Api, settings: Settings) {
  let tab: Tab = 'appointments';
  let reviewCount: number | null = null;
  let liveState: 'live' | 'reconnecting' = 'reconnecting';
  const ctx: Ctx = {
    api,
    settings,
    now: () => new Date(),
    reviewChanged: () => refreshCount(),
  };
  const views: Record<Tab, View> = {
    appointments: createAppointmentsView(ctx),
    review: createReviewView(ctx),
    status: createStatusView(ctx),
  };
  const main = h('main', { id: 'main', tabindex: -1 });
  const liveBadge = h('p', { class: 'live', role: 'status' });
  const nav = h('nav', { class: 'tabs', 'aria-label': t('appTitle') });

  const refreshCount = debounce(() => {
    api.syncStatus(new Date(Date.now() - 24 * 3600_000)).then(
      (r) => {
        reviewCount = r.reviewQueue;
        drawNav();
      },
      () => undefined,
    );
  }, 500);

  function drawLive() {
    liveBadge.className = `live live-${liveState}`;
    liveBadge.textContent = t(liveState === 'live' ? 'live' : 'reconnecting');
  }

  function drawNav() {
    const focused = nav.contains(document.activeElement)
      ? (document.activeElement as HTMLElement).dataset.tab
      : null;
    nav.setAttribute('aria-label', t('appTitle'));
    fill(
      nav,
      ...TABS.map(([id, label]) =>
        h(
          'button',
          {
            type: 'button',
            'data-tab': id,
            'aria-current': tab === id ? 'page' : false,
            onclick: () => show(id),
          },
          t(label),
          id === 'review' && reviewCount ? h('span', { class: 'count' }, ` ${reviewCount}`) : null,
        ),
      ),
    );
    if (focused) nav.querySelector<HTMLElement>(`[data-tab="${focused}"]`)?.focus();
  }

  function show(next: Tab) {
    tab = next;
    drawNav();
    fill(main, views[tab].el);
    views[tab].el.querySelector<HTMLElement>('h2')?.focus();
    void views[tab].load();
  }

  function draw() {
    document.title = `${settings.name} · ${t('appTitle')}`;
    drawLive();
    fill(
      root,
      h('a', { class: 'skip', href: '#main' }, t('skipToContent')),
      h(
        'header',
        { class: 'top' },
        h('div', { class: 'brand' }, h('h1', {}, settings.name), h('p', { class: 'tz' }, settings.timeZone)),
        h(
          'div',
          { class: 'top-actions' },
          liveBadge,
          languageButton(),
          h('button', { type: 'button', onclick: () => signOut() }, t('signOut')),
        ),
      ),
      nav,
      h('div', { id: 'toasts', class: 'toasts' }),
      main,
    );
    drawNav();
    views[tab].render();
    fill(main, views[tab].el);
  }

  const stream = follow(api, {
    onMessage: (m) => {
      views[tab].onLive(m);
      if (m.type !== 'appointment') refreshCount();
    },
    onState: (s) => {
      liveState = s;
      drawLive();
    },
    onRefused: () => signOut(t('errSignedOut')),
  });

  function signOut(message?: string) {
    stream.close();
    for (const d of document.querySelectorAll('dialog')) d.remove();
    signIn(message);
  }

  redraw = draw;
  draw();
  show('appointments');
  refreshCount();
}

setLang(langFromBrowser(navigator.languages));
signIn();
