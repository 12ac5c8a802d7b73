/**
 * `/_sandbox` control API: the same operations the programmatic handle offers,
 * for the demo, docker compose and tests in other processes. Never under /v2.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import type { CalcomSandbox } from './sandbox';
import { parseBody, createBookingSchema } from './validation';
import { badRequest } from './errors';

const hhmm = z.string().regex(/^\d{2}:\d{2}$/);
const dayRanges = z.array(z.object({ start: hhmm, end: hhmm }));

export const accountInputSchema = z.object({
  apiKey: z.string().min(1),
  eventTypes: z.array(
    z.object({
      id: z.number().int().positive(),
      title: z.string().optional(),
      slug: z.string().optional(),
      lengthInMinutes: z.number().int().positive(),
      requiresConfirmation: z.boolean().optional(),
    }),
  ),
  webhook: z.object({ url: z.url(), secret: z.string().nullable() }).optional(),
  timeZone: z.string().optional(),
  availability: z
    .object({
      mon: dayRanges,
      tue: dayRanges,
      wed: dayRanges,
      thu: dayRanges,
      fri: dayRanges,
      sat: dayRanges,
      sun: dayRanges,
    })
    .partial()
    .optional(),
  name: z.string().optional(),
  email: z.string().optional(),
  username: z.string().optional(),
});

export const faultRuleSchema = z.union([
  z.object({
    route: z.enum([
      'create',
      'cancel',
      'reschedule',
      'get',
      'list',
      'slots',
      'event-types',
      'me',
      'webhooks',
      '*',
    ]),
    mode: z.enum(['status', 'latency', 'timeout', '429', 'drop-after-commit', 'status-after-commit']),
    status: z.number().int().min(100).max(599).optional(),
    latencyMs: z.number().int().min(0).optional(),
    resetSeconds: z.number().int().min(0).optional(),
    times: z.number().int().positive().optional(),
    apiKey: z.string().optional(),
  }),
  z.object({
    route: z.literal('webhook'),
    mode: z.enum(['drop', 'duplicate', 'delay', 'replay']),
    latencyMs: z.number().int().min(0).optional(),
    times: z.number().int().positive().optional(),
    apiKey: z.string().optional(),
  }),
]);

const webhookSchema = z.object({ url: z.url(), secret: z.string().nullable() });
const customerBookSchema = createBookingSchema.extend({ apiKey: z.string() });
const uidSchema = z.object({ uid: z.string(), reason: z.string().optional() });
const rescheduleSchema = z.object({ uid: z.string(), start: z.string(), reason: z.string().optional() });

function check<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw badRequest(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}

export function controlRouter(sb: CalcomSandbox): Router {
  const r = express.Router();
  r.post('/accounts', (req, res) => {
    const a = check(accountInputSchema, req.body);
    sb.addAccount(a);
    res.status(201).json({ ok: true, eventTypeIds: a.eventTypes.map((e) => e.id) });
  });
  r.put('/accounts/:key/webhook', (req, res) => {
    sb.setWebhook(String(req.params.key), check(webhookSchema, req.body));
    res.json({ ok: true });
  });
  r.get('/bookings', (_req, res) => {
    res.json({ data: sb.bookings() });
  });
  r.get('/webhooks', (_req, res) => {
    res.json({ data: sb.webhooks() });
  });
  r.get('/calls', (req, res) => {
    const kind = typeof req.query.kind === 'string' ? req.query.kind : undefined;
    const route = typeof req.query.route === 'string' ? req.query.route : undefined;
    res.json({ data: sb.calls({ kind: kind as 'api' | 'webhook' | undefined, route }) });
  });
  r.delete('/calls', (_req, res) => {
    sb.resetCalls();
    res.status(204).end();
  });
  r.get('/faults', (_req, res) => {
    res.json({ data: sb.faults() });
  });
  r.post('/faults', (req, res) => {
    sb.injectFault(check(faultRuleSchema, req.body));
    res.status(201).json({ ok: true });
  });
  r.delete('/faults', (_req, res) => {
    sb.clearFaults();
    res.status(204).end();
  });
  r.put('/latency', (req, res) => {
    sb.setLatency(check(z.object({ ms: z.number().int().min(0) }), req.body).ms);
    res.json({ ok: true });
  });
  r.post('/customer/book', async (req, res) => {
    const { apiKey, ...body } = check(customerBookSchema, req.body);
    res.status(201).json({ data: await sb.customer.book(apiKey, parseBody(createBookingSchema, body)) });
  });
  r.post('/customer/cancel', async (req, res) => {
    const b = check(uidSchema, req.body);
    res.json({ data: await sb.customer.cancel(b.uid, b.reason) });
  });
  r.post('/customer/reschedule', async (req, res) => {
    const b = check(rescheduleSchema, req.body);
    res.status(201).json({ data: await sb.customer.reschedule(b.uid, b.start, b.reason) });
  });
  r.post('/host/confirm', async (req, res) => {
    res.json({ data: await sb.host.confirm(check(uidSchema, req.body).uid) });
  });
  r.post('/host/reject', async (req, res) => {
    const b = check(uidSchema, req.body);
    res.json({ data: await sb.host.reject(b.uid, b.reason) });
  });
  r.post('/ping', async (req, res) => {
    await sb.ping(check(z.object({ apiKey: z.string() }), req.body).apiKey);
    res.json({ ok: true });
  });
  r.post('/reset', (req, res) => {
    sb.reset({ accounts: (req.body as { accounts?: unknown } | undefined)?.accounts === true });
    res.json({ ok: true });
  });
  return r;
}
