/** What a member of staff does in the console, as Playwright steps (English UI unless said). */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { SandboxBooking } from '@calsync/calcom-sandbox';
import { waitFor } from '@calsync/testkit';
import type { BrowserSystem, Tenant } from './system';

/** The console's "now": a Wednesday, so its week is 7–13 January 2030 (Berlin). */
export const NOW = new Date('2030-01-09T08:15:00Z');

export interface Opened {
  context: BrowserContext;
  page: Page;
  /** Content-Security-Policy refusals the page reported (there must be none). */
  cspReports: string[];
}

export async function openConsole(
  browser: Browser,
  sys: BrowserSystem,
  opts: {
    locale?: string;
    viewport?: { width: number; height: number };
    phone?: boolean;
    bypassCSP?: boolean;
    /** false: the real clock (sync status counts what the server did in the hours before now). */
    frozen?: boolean;
  } = {},
): Promise<Opened> {
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    isMobile: opts.phone ?? false,
    hasTouch: opts.phone ?? false,
    locale: opts.locale ?? 'en-GB',
    // Not the tenant's zone on purpose: the console must show Berlin times anyway.
    timezoneId: 'America/New_York',
    bypassCSP: opts.bypassCSP ?? false,
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const cspReports: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspReports.push(m.text());
  });
  page.on('pageerror', (e) => cspReports.push(`page error: ${e.message}`));
  if (opts.frozen !== false) await page.clock.setFixedTime(NOW);
  await page.goto(`${sys.apiUrl}/admin`);
  return { context, page, cspReports };
}

export async function signIn(
  page: Page,
  t: Tenant,
  labels = { tenant: 'Practice id', token: 'Admin token', go: 'Sign in' },
) {
  await page.getByLabel(labels.tenant).fill(t.id);
  await page.getByLabel(labels.token).fill(t.adminToken);
  await page.getByRole('button', { name: labels.go }).click();
  await page.getByRole('heading', { level: 1, name: t.name }).waitFor();
  await page.locator('.live-live').waitFor();
}

/** The appointment row showing `name` (the first, when several do). */
export const row = (page: Page, name: string): Locator =>
  page
    .locator('li.appt')
    .filter({ has: page.locator('.appt-name', { hasText: name }) })
    .first();

export async function syncOf(r: Locator): Promise<string | null> {
  return r.locator('.badge.sync').getAttribute('data-sync');
}

export async function waitForSync(r: Locator, status: string, what: string) {
  await waitFor(async () => (await syncOf(r)) === status, {
    what: `${what} to show sync ${status}`,
    timeoutMs: 30_000,
  });
}

export const dialog = (page: Page): Locator => page.locator('dialog[open]');

/** Field of the open dialog by its label; its error line is `errorOf`. */
export const inDialog = (page: Page, label: string) => dialog(page).getByLabel(label, { exact: true });
export const errorOf = (page: Page, fieldName: string) =>
  dialog(page).locator(`[data-field="${fieldName}"] .field-error`);

/** Waits until the sandbox (Cal.com) holds a booking that `match`es. */
export async function calcomBooking(
  sys: BrowserSystem,
  t: Tenant,
  what: string,
  match: (b: SandboxBooking) => boolean,
): Promise<SandboxBooking> {
  return waitFor(() => sys.sb.bookings({ apiKey: t.calcomKey }).find(match), {
    what: `Cal.com to hold ${what}`,
    timeoutMs: 30_000,
  });
}

export const attendee = (b: SandboxBooking) => b.attendees[0]?.name;

/** Berlin wall time on a January 2030 day (UTC+1). */
export const berlin = (day: number, hour: number, minute = 0) =>
  new Date(Date.UTC(2030, 0, day, hour - 1, minute));

/** A datetime-local value for the same. */
export const local = (day: number, hour: number, minute = 0) =>
  `2030-01-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
