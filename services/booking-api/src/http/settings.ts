/**
 * `GET /v1/tenants/:t/settings` (admin API): what a client of the admin API needs
 * to show and create appointments — the tenant's name, its time zone (the
 * console's day and week run in it) and its event types. Never a secret.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { TenantRecord } from '@calsync/db';
import { tenantOf } from './auth';

export const tenantSettingsSchema = z.object({
  id: z.string(),
  name: z.string(),
  timeZone: z.string(),
  eventTypes: z.array(
    z.object({ id: z.number().int(), title: z.string(), lengthInMinutes: z.number().int() }),
  ),
});
export type TenantSettings = z.infer<typeof tenantSettingsSchema>;

export const settingsOf = (t: TenantRecord): TenantSettings => ({
  id: t.id,
  name: t.name,
  timeZone: t.timeZone,
  eventTypes: t.eventTypes.map((e) => ({ id: e.id, title: e.title, lengthInMinutes: e.lengthInMinutes })),
});

export function settingsRouter(): Router {
  const r = Router({ mergeParams: true });
  r.get('/settings', (_req, res) => {
    res.json(settingsOf(tenantOf(res)));
  });
  return r;
}
