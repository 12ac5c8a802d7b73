/**
 * `npm run test:browser`: the staff console in Debian's Chromium, driven by
 * playwright-core, against the three services as processes and the Cal.com
 * sandbox. Every change made in the console is checked where it must land: in
 * Cal.com (the sandbox's store). `-- --update-baselines` rewrites the screenshots.
 */
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { waitFor } from '@calsync/testkit';
import { axeViolations } from './a11y';
import { compareWithBaseline, publishScreenshot } from './baselines';
import {
  attendee,
  berlin,
  calcomBooking,
  dialog,
  errorOf,
  inDialog,
  local,
  openConsole,
  row,
  signIn,
  waitForSync,
  type Opened,
} from './console-page';
import { seedScreenshotTenant } from './screens';
import { startSystem, type BrowserSystem, type Tenant } from './system';

const ROOT = resolve(__dirname, '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** One scenario; node:test's it() returns a promise its runner awaits itself. */
const step = (name: string, fn: () => Promise<void> | void) => void it(name, { timeout: 120_000 }, fn);

let sys: BrowserSystem;
let browser: Browser;
let praxis: Tenant;
let ui: Opened;
let page: Page;

before(async () => {
  // The services run from their sources; only the console's scripts need compiling.
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '--build', 'services/booking-api/console'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  sys = await startSystem();
  praxis = await sys.addTenant('praxis', 'Praxis Muster', 1001);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  ui = await openConsole(browser, sys);
  page = ui.page;
});

after(async () => {
  await browser?.close();
  await sys?.close();
});

void describe('the staff console in a real browser', () => {
  step('signs in with the admin token, held in memory only, and signs out', async () => {
    await page.getByLabel('Practice id').fill(praxis.id);
    await page.getByLabel('Admin token').fill('not-the-token-0000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();

    await signIn(page, praxis);
    assert.ok(!page.url().includes(praxis.adminToken), 'the token is not in the URL');
    const stored = await page.evaluate<string>(
      'JSON.stringify([Object.keys(localStorage), Object.keys(sessionStorage), document.cookie])',
    );
    assert.equal(stored, '[[],[],""]', 'nothing is stored in the browser');
    assert.deepEqual(await ui.context.cookies(), []);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signIn(page, praxis);
  });

  step('creates an appointment, shows the API errors next to their fields, and Cal.com gets it', async () => {
    await page.getByRole('button', { name: 'New appointment' }).click();
    await inDialog(page, 'Date and time').fill(local(10, 10));
    await inDialog(page, 'Customer name').fill('Erika Musterfrau');
    await inDialog(page, 'E-mail').fill('not-an-address');
    await dialog(page).getByRole('button', { name: 'Create' }).click();
    await errorOf(page, 'email').waitFor();
    assert.equal(await inDialog(page, 'E-mail').getAttribute('aria-invalid'), 'true');

    await inDialog(page, 'E-mail').fill('erika@example.com');
    await dialog(page).getByRole('button', { name: 'Create' }).click();
    await dialog(page).waitFor({ state: 'detached' });
    const r = row(page, 'Erika Musterfrau');
    await r.waitFor();
    assert.match(await r.locator('.appt-time').innerText(), /^10:00.10:30$/);
    await waitForSync(r, 'synced', 'the new appointment');
    await calcomBooking(
      sys,
      praxis,
      'the new booking',
      (b) => attendee(b) === 'Erika Musterfrau' && b.status === 'accepted' && +b.start === +berlin(10, 10),
    );

    // The same slot again: "slot taken" belongs to the time field.
    await page.getByRole('button', { name: 'New appointment' }).click();
    await inDialog(page, 'Date and time').fill(local(10, 10));
    await inDialog(page, 'Customer name').fill('Someone Else');
    await inDialog(page, 'E-mail').fill('else@example.com');
    await dialog(page).getByRole('button', { name: 'Create' }).click();
    await errorOf(page, 'start').filter({ hasText: 'overlaps' }).waitFor();
    await page.keyboard.press('Escape');
    await dialog(page).waitFor({ state: 'detached' });
  });

  step('reschedules it (Verschieben) and Cal.com moves the booking', async () => {
    const r = row(page, 'Erika Musterfrau');
    await r.getByRole('button', { name: 'Reschedule' }).click();
    await inDialog(page, 'New date and time').fill(local(10, 11, 30));
    await dialog(page).getByRole('button', { name: 'Reschedule' }).click();
    await dialog(page).waitFor({ state: 'detached' });
    await waitFor(async () => /^11:30.12:00$/.test(await r.locator('.appt-time').innerText()), {
      what: 'the row to show the new time',
    });
    await waitForSync(r, 'synced', 'the rescheduled appointment');
    await calcomBooking(
      sys,
      praxis,
      'the booking at the new time',
      (b) =>
        attendee(b) === 'Erika Musterfrau' && b.status === 'accepted' && +b.start === +berlin(10, 11, 30),
    );
  });

  step('cancels it (Stornieren) after a confirmation, and Cal.com cancels the booking', async () => {
    const r = row(page, 'Erika Musterfrau');
    await r.getByRole('button', { name: 'Cancel' }).click();
    await dialog(page).getByText('Cancel the appointment of Erika Musterfrau').waitFor();
    await dialog(page).getByRole('button', { name: 'Cancel appointment' }).click();
    await r.locator('.badge.status-cancelled').waitFor();
    await waitForSync(r, 'synced', 'the cancelled appointment');
    await calcomBooking(
      sys,
      praxis,
      'the booking cancelled',
      (b) =>
        attendee(b) === 'Erika Musterfrau' && +b.start === +berlin(10, 11, 30) && b.status === 'cancelled',
    );
  });

  step("shows another admin's appointments live, and bulk-cancels them", async () => {
    await page.evaluate('window.__sameDocument = true');
    for (const [name, hour] of [
      ['Bulk Eins', 9],
      ['Bulk Zwei', 10],
    ] as const)
      await sys.admin(praxis, 'POST', '/appointments', {
        eventTypeId: praxis.eventTypeId,
        start: berlin(11, hour).toISOString(),
        customer: { name, email: 'bulk@example.com', timeZone: 'Europe/Berlin' },
      });
    for (const name of ['Bulk Eins', 'Bulk Zwei']) {
      await row(page, name).waitFor();
      await waitForSync(row(page, name), 'synced', name);
      await row(page, name).getByRole('checkbox').check();
    }
    await page.getByRole('button', { name: 'Cancel selected' }).click();
    await dialog(page).getByText('Cancel these 2 appointments?').waitFor();
    await dialog(page).getByRole('button', { name: 'Cancel appointment' }).click();
    for (const name of ['Bulk Eins', 'Bulk Zwei']) {
      await row(page, name).locator('.badge.status-cancelled').waitFor();
      await calcomBooking(
        sys,
        praxis,
        `${name} cancelled`,
        (b) => attendee(b) === name && b.status === 'cancelled',
      );
    }
    assert.equal(await page.evaluate('window.__sameDocument'), true, 'no reload');
  });

  step("shows a customer's booking made on Cal.com live, without a reload", async () => {
    await page.evaluate('window.__sameDocument = true');
    await sys.sb.customer.book(praxis.calcomKey, {
      start: berlin(9, 15).toISOString(),
      eventTypeId: praxis.eventTypeId,
      attendee: { name: 'Kundin Online', email: 'kundin@example.com', timeZone: 'Europe/Berlin' },
    });
    const r = row(page, 'Kundin Online');
    await r.waitFor({ timeout: 20_000 });
    assert.equal(await r.locator('.badge.origin').innerText(), 'Cal.com');
    assert.equal(await page.evaluate('window.__sameDocument'), true, 'no reload');
  });

  step('filters by origin and searches by name; a day view of today', async () => {
    const names = () => page.locator('li.appt .appt-name').allInnerTexts();
    await page.getByLabel('Search by customer').fill('KUNDIN');
    await waitFor(async () => (await names()).join() === 'Kundin Online', { what: 'only the searched name' });
    await page.getByLabel('Search by customer').fill('');
    await page.getByLabel('Origin').selectOption({ label: 'Cal.com' });
    await waitFor(async () => (await names()).join() === 'Kundin Online', { what: 'only Cal.com bookings' });
    await page.getByLabel('Origin').selectOption({ label: 'All' });
    await page.getByRole('button', { name: 'Day', exact: true }).click();
    await page.getByRole('heading', { name: /^Appointments: Wednesday,? 9 January 2030$/ }).waitFor();
    await waitFor(async () => (await names()).join() === 'Kundin Online', { what: "today's appointments" });
    await page.getByRole('button', { name: 'Week', exact: true }).click();
    await row(page, 'Bulk Eins').waitFor();
  });

  step("resolves a review entry: Cal.com's side beside ours, keep ours, Cal.com follows", async () => {
    const created = await sys.admin(praxis, 'POST', '/appointments', {
      eventTypeId: praxis.eventTypeId,
      start: berlin(11, 13).toISOString(),
      customer: { name: 'Review Fall', email: 'review@example.com', timeZone: 'Europe/Berlin' },
    });
    await waitForSync(row(page, 'Review Fall'), 'synced', 'the appointment to review');
    // Cal.com refuses the next reschedule as invalid: a reason retrying cannot fix, so it goes to review.
    sys.sb.injectFault({
      route: 'reschedule',
      mode: 'status',
      status: 400,
      times: 1,
      apiKey: praxis.calcomKey,
    });
    await sys.admin(praxis, 'POST', `/appointments/${created.id}/reschedule`, {
      start: berlin(11, 14).toISOString(),
    });
    await page.locator('.tabs .count').filter({ hasText: '1' }).waitFor({ timeout: 30_000 });

    await page.getByRole('button', { name: /Review queue/ }).click();
    const card = page.locator('article.review-item').filter({ hasText: 'Review Fall' });
    await card.waitFor();
    await card.getByText('Cal.com rejected the change as invalid.').waitFor();
    const start = card.locator('tr', { has: page.getByRole('rowheader', { name: 'Start' }) });
    assert.equal(await start.getAttribute('class'), 'diff', 'the start differs and is marked');
    assert.match(await start.locator('mark').innerText(), /13:00/);
    assert.match(await start.locator('td').first().innerText(), /14:00/);

    await card.getByRole('button', { name: 'Keep ours' }).click();
    await dialog(page).getByRole('button', { name: 'Keep ours' }).click();
    await page.getByText('Nothing to review.').waitFor();
    await calcomBooking(
      sys,
      praxis,
      'the booking at our time',
      (b) => attendee(b) === 'Review Fall' && b.status === 'accepted' && +b.start === +berlin(11, 14),
    );
  });

  step('works with the keyboard alone: dialogs take focus, Escape closes, focus returns', async () => {
    await page.getByRole('button', { name: 'Appointments' }).click();
    const create = page.getByRole('button', { name: 'New appointment' });
    await create.focus();
    await page.keyboard.press('Enter');
    await dialog(page).waitFor();
    assert.equal(await page.evaluate('document.activeElement.closest("dialog") !== null'), true);
    // Tab cycles inside the modal dialog, never to the page behind it.
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate('document.activeElement.closest("dialog[open]") !== null'), true);
    }
    await page.keyboard.press('Escape');
    await dialog(page).waitFor({ state: 'detached' });
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'New appointment');
    const outline = await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle');
    assert.notEqual(outline, 'none', 'focus is visible');
  });

  step('sync status by origin over a chosen period', async () => {
    // On the real clock: the counts are of what the server did in the period before now.
    const s = await openConsole(browser, sys, { frozen: false });
    try {
      await signIn(s.page, praxis);
      await s.page.getByRole('button', { name: 'Sync status' }).click();
      const admin = s.page.locator('tbody tr', { has: s.page.getByRole('rowheader', { name: 'Admin' }) });
      await s.page.getByLabel('Period').selectOption({ label: 'Last 7 days' });
      await waitFor(async () => /^\s*\d+(\.\d)?%$/.test(await admin.locator('td.rate').innerText()), {
        what: "the admin origin's success rate",
      });
      const synced = await admin.locator('td').nth(1).innerText();
      assert.ok(Number(synced) >= 4, `admin appointments counted as synced: ${synced}`);
      assert.deepEqual(s.cspReports, []);
    } finally {
      await s.context.close();
    }
  });

  step('speaks German to a German browser and switches languages', async () => {
    const de = await openConsole(browser, sys, { locale: 'de-DE' });
    try {
      await signIn(de.page, praxis, { tenant: 'Praxis-Kennung', token: 'Admin-Token', go: 'Anmelden' });
      await de.page.getByRole('button', { name: 'Neuer Termin' }).waitFor();
      await de.page.getByRole('heading', { name: /Termine: 7\.–13\. Jan\. 2030/ }).waitFor();
      await de.page.getByRole('button', { name: 'Switch to English' }).click();
      await de.page.getByRole('button', { name: 'New appointment' }).waitFor();
      assert.equal(await de.page.evaluate('document.documentElement.lang'), 'en');
      assert.deepEqual(de.cspReports, []);
    } finally {
      await de.context.close();
    }
  });

  step('keeps to its Content-Security-Policy (nothing was refused)', () => {
    assert.deepEqual(ui.cspReports, []);
  });

  step('has no serious or critical accessibility violation (axe-core)', async () => {
    const a11y = await openConsole(browser, sys, { bypassCSP: true });
    const p = a11y.page;
    try {
      const found = [...(await axeViolations(p, 'sign-in'))];
      await signIn(p, praxis);
      await row(p, 'Kundin Online').waitFor();
      found.push(...(await axeViolations(p, 'appointments (week)')));
      await p.getByRole('button', { name: 'New appointment' }).click();
      found.push(...(await axeViolations(p, 'new appointment dialog')));
      await p.keyboard.press('Escape');
      await p.getByRole('button', { name: /Review queue/ }).click();
      await p.getByRole('heading', { name: 'Manual review' }).waitFor();
      found.push(...(await axeViolations(p, 'review queue')));
      await p.getByRole('button', { name: 'Sync status' }).click();
      await p.locator('td.rate').first().waitFor();
      found.push(...(await axeViolations(p, 'sync status')));
      assert.deepEqual(found, []);
    } finally {
      await a11y.context.close();
    }
  });

  step('looks as the baselines show, at desktop and phone widths', async () => {
    const screens = await seedScreenshotTenant(sys);
    const failures: string[] = [];
    const shots = [
      { name: 'desktop-week-en', locale: 'en-GB', viewport: { width: 1280, height: 800 }, phone: false },
      { name: 'phone-day-de', locale: 'de-DE', viewport: { width: 390, height: 844 }, phone: true },
    ];
    for (const shot of shots) {
      const s = await openConsole(browser, sys, shot);
      try {
        await signIn(
          s.page,
          screens,
          shot.locale === 'de-DE'
            ? { tenant: 'Praxis-Kennung', token: 'Admin-Token', go: 'Anmelden' }
            : undefined,
        );
        if (shot.phone) await s.page.getByRole('button', { name: 'Tag', exact: true }).click();
        await row(s.page, 'Anna Schmidt').waitFor();
        // Every row drawn and settled (the event stream never lets the network go idle).
        await waitFor(async () => (await s.page.locator('.badge.sync-pending').count()) === 0, {
          what: 'settled rows',
        });
        await s.page.waitForTimeout(500);
        const png = await s.page.screenshot({ animations: 'disabled', caret: 'hide' });
        const r = compareWithBaseline(shot.name, png);
        if (!r.ok) failures.push(r.why);
      } finally {
        await s.context.close();
      }
    }
    publishScreenshot('desktop-week-en', resolve(ROOT, 'docs/console.png'));
    assert.deepEqual(failures, []);
  });
});
