/**
 * The practice the screenshots show: the same appointments on every run, from
 * all three sides (admin, phone agent, a customer on Cal.com), one cancelled,
 * all settled before anything is photographed.
 */
import { waitFor } from '@calsync/testkit';
import { berlin } from './console-page';
import type { BrowserSystem, Tenant } from './system';

type Side = 'admin' | 'phone' | 'calcom';
const WEEK: [number, number, number, string, Side][] = [
  [7, 9, 0, 'Jonas Weber', 'admin'],
  [7, 11, 30, 'Mehmet Yılmaz', 'phone'],
  [8, 10, 0, 'Sophie Müller', 'calcom'],
  [9, 9, 0, 'Anna Schmidt', 'admin'],
  [9, 10, 30, 'Lukas Becker', 'phone'],
  [9, 14, 0, 'Marie Dubois', 'calcom'],
  [10, 16, 0, 'Felix Wagner', 'admin'],
  [11, 9, 30, 'Emma Hoffmann', 'admin'],
];

export async function seedScreenshotTenant(sys: BrowserSystem): Promise<Tenant> {
  const t = await sys.addTenant('praxis-sonne', 'Praxis Sonnenschein', 2001);
  for (const [day, hour, minute, name, side] of WEEK) {
    const start = berlin(day, hour, minute).toISOString();
    const email = `${name.split(' ')[0]!.toLowerCase()}@example.com`;
    if (side === 'admin')
      await sys.admin(t, 'POST', '/appointments', {
        eventTypeId: t.eventTypeId,
        start,
        customer: { name, email, timeZone: 'Europe/Berlin' },
      });
    else if (side === 'phone') await sys.phoneBooking(t, { start, name, phone: '+4915112345678' });
    else
      await sys.sb.customer.book(t.calcomKey, {
        start,
        eventTypeId: t.eventTypeId,
        attendee: { name, email, timeZone: 'Europe/Berlin' },
      });
  }
  const list = () =>
    sys.admin(
      t,
      'GET',
      `/appointments?from=${berlin(7, 0).toISOString()}&to=${berlin(14, 0).toISOString()}&limit=50`,
    );
  const felix = await waitFor(async () =>
    (await list()).items.find((a: any) => a.customer.name === 'Felix Wagner'),
  );
  await sys.admin(t, 'POST', `/appointments/${felix.id}/cancel`, { reason: 'Krank' });
  await waitFor(
    async () => {
      const { items } = await list();
      return items.length === WEEK.length && items.every((a: any) => a.sync.status !== 'pending');
    },
    { what: 'every screenshot appointment to be settled', timeoutMs: 60_000 },
  );
  return t;
}
