/** `/v2` routes: bookings (cal-api-version 2024-08-13) and slots (2024-09-04). */
import express, { type Request, type Response, type Router } from 'express';
import type { Clock } from '@calsync/platform';
import type { Account } from './types';
import type { BookingService } from './bookings';
import { badRequest, errorBody, SandboxHttpError } from './errors';
import { computeSlots, isBusy, parseSlotBound } from './slots';
import { toApiBooking, type ListFilters, type Store } from './store';
import { cancelBookingSchema, createBookingSchema, parseBody, rescheduleBookingSchema } from './validation';
import { isValidZone } from './zone';

export const BOOKINGS_VERSION = '2024-08-13';
export const SLOTS_VERSION = '2024-09-04';

/**
 * Cal.com silently serves its legacy 2024-04-15 shapes without the header. The
 * sandbox does not emulate those: it answers 400 so a client that forgot the
 * header fails loudly in tests instead of parsing the wrong shape.
 */
function requireVersion(req: Request, version: string): void {
  const got = req.header('cal-api-version');
  if (got !== version)
    throw new SandboxHttpError(
      400,
      `Sandbox serves only cal-api-version ${version} on this route (got ${got ?? 'none'}); real Cal.com would answer in a legacy shape`,
    );
}

const accountOf = (res: Response) => res.locals.account as Account;

/**
 * Answers, or — under a drop-after-commit fault — kills the socket after the change was made,
 * or — under status-after-commit — answers an error although it was made (Cal.com's internal
 * paths that fail after the booking was written).
 */
export function reply(res: Response, status: number, data: unknown): void {
  if (res.locals.dropAfterCommit) {
    res.locals.note = 'dropped-after-commit';
    res.socket?.destroy();
    return;
  }
  if (typeof res.locals.statusAfterCommit === 'number') {
    const failed = res.locals.statusAfterCommit;
    res.locals.note = 'status-after-commit';
    res.status(failed).json(errorBody(failed, 'Internal server error', 'envelope', res.req.originalUrl));
    return;
  }
  res.status(status).json({ status: 'success', data });
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : Array.isArray(v) ? v.join(',') : undefined;

function dateParam(q: Request['query'], name: string): Date | undefined {
  const v = str(q[name]);
  if (v === undefined || v === '') return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw badRequest(`${name} must be a valid ISO 8601 date string`);
  return new Date(t);
}

function intParam(q: Request['query'], name: string, fallback: number, min: number, max: number): number {
  const v = str(q[name]);
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n)) throw badRequest(`${name} must be an integer number`);
  if (n < min) throw badRequest(`${name} must not be less than ${min}`);
  if (n > max) throw badRequest(`${name} must not be greater than ${max}`);
  return n;
}

const STATUSES = ['upcoming', 'recurring', 'past', 'cancelled', 'unconfirmed'];
const SORTS = {
  sortStart: 'start',
  sortEnd: 'end',
  sortCreated: 'createdAt',
  sortUpdatedAt: 'updatedAt',
} as const;

function listFilters(q: Request['query']): ListFilters {
  const f: ListFilters = {};
  const ids = [str(q.eventTypeId), str(q.eventTypeIds)].filter((v): v is string => !!v).join(',');
  if (ids) {
    f.eventTypeIds = ids.split(',').map((s) => Number(s.trim()));
    if (f.eventTypeIds.some((n) => !Number.isInteger(n))) throw badRequest('eventTypeId must be a number');
  }
  f.attendeeEmail = str(q.attendeeEmail);
  f.attendeeName = str(q.attendeeName);
  f.bookingUid = str(q.bookingUid);
  f.afterStart = dateParam(q, 'afterStart');
  f.beforeEnd = dateParam(q, 'beforeEnd');
  f.afterUpdatedAt = dateParam(q, 'afterUpdatedAt');
  f.beforeUpdatedAt = dateParam(q, 'beforeUpdatedAt');
  f.afterCreatedAt = dateParam(q, 'afterCreatedAt');
  f.beforeCreatedAt = dateParam(q, 'beforeCreatedAt');
  const status = str(q.status);
  if (status) {
    f.status = status.split(',').map((s) => s.trim());
    const bad = f.status.find((s) => !STATUSES.includes(s));
    if (bad)
      throw badRequest(`each value in status must be one of the following values: ${STATUSES.join(', ')}`);
  }
  for (const [param, field] of Object.entries(SORTS)) {
    const dir = str(q[param]);
    if (dir === undefined) continue;
    if (dir !== 'asc' && dir !== 'desc')
      throw badRequest(`${param} must be one of the following values: asc, desc`);
    f.sort = { field, dir };
  }
  return f;
}

export function apiRouter(deps: { store: Store; bookings: BookingService; clock: Clock }): Router {
  const { store, bookings, clock } = deps;
  const r = express.Router();

  r.post('/bookings', async (req, res) => {
    requireVersion(req, BOOKINGS_VERSION);
    const body = parseBody(createBookingSchema, req.body);
    const b = await bookings.create(accountOf(res), body, 'host');
    reply(res, 201, toApiBooking(accountOf(res), b));
  });

  r.get('/bookings', (req, res) => {
    requireVersion(req, BOOKINGS_VERSION);
    const take = intParam(req.query, 'take', 100, 1, 250);
    const skip = intParam(req.query, 'skip', 0, 0, Number.MAX_SAFE_INTEGER);
    const all = store.list(accountOf(res).id, listFilters(req.query), clock.now());
    const page = all.slice(skip, skip + take);
    res.json({
      status: 'success',
      data: page.map((b) => toApiBooking(accountOf(res), b)),
      pagination: {
        totalItems: all.length,
        remainingItems: Math.max(0, all.length - (skip + page.length)),
        returnedItems: page.length,
        itemsPerPage: take,
        currentPage: Math.floor(skip / take) + 1,
        totalPages: Math.ceil(all.length / take),
        hasNextPage: skip + page.length < all.length,
        hasPreviousPage: skip > 0,
      },
    });
  });

  r.get('/bookings/:uid', (req, res) => {
    requireVersion(req, BOOKINGS_VERSION);
    const b = bookings.find(accountOf(res), String(req.params.uid));
    reply(res, 200, toApiBooking(accountOf(res), b));
  });

  r.post('/bookings/:uid/cancel', async (req, res) => {
    requireVersion(req, BOOKINGS_VERSION);
    const body = parseBody(cancelBookingSchema, req.body);
    const b = await bookings.cancel(accountOf(res), String(req.params.uid), body.cancellationReason, 'host');
    reply(res, 200, toApiBooking(accountOf(res), b));
  });

  r.post('/bookings/:uid/reschedule', async (req, res) => {
    requireVersion(req, BOOKINGS_VERSION);
    const body = parseBody(rescheduleBookingSchema, req.body);
    const b = await bookings.reschedule(accountOf(res), String(req.params.uid), body, 'host');
    reply(res, 201, toApiBooking(accountOf(res), b));
  });

  r.get('/slots', (req, res) => {
    requireVersion(req, SLOTS_VERSION);
    const account = accountOf(res);
    const q = req.query;
    const eventTypeId = Number(str(q.eventTypeId));
    const et = account.eventTypes.find((e) => e.id === eventTypeId);
    if (!et) throw new SandboxHttpError(404, `Event type with id=${str(q.eventTypeId) ?? ''} not found`);
    const timeZone = str(q.timeZone) ?? 'UTC';
    if (!isValidZone(timeZone)) throw badRequest('timeZone must be a valid IANA time zone');
    const startRaw = str(q.start);
    const endRaw = str(q.end);
    if (!startRaw || !endRaw) throw badRequest('start and end are required');
    const from = parseSlotBound(startRaw, timeZone, 'start');
    const to = parseSlotBound(endRaw, timeZone, 'end');
    if (!from || !to) throw badRequest('start and end must be ISO 8601 dates');
    if (to < from) throw badRequest('end must be after start');
    const ignore = str(q.bookingUidToReschedule);
    const busy = store.ofAccount(account.id).filter((b) => isBusy(b) && b.uid !== ignore);
    res.json({
      status: 'success',
      data: computeSlots(account, busy, {
        from,
        to,
        timeZone,
        lengthInMinutes: et.lengthInMinutes,
        range: str(q.format) === 'range',
        now: clock.now(),
      }),
    });
  });

  return r;
}
