/**
 * In-memory state: accounts (one per API key) and bookings, plus the queries
 * Cal.com's `GET /v2/bookings` offers and the API v2 booking rendering.
 */
import { randomBytes } from 'node:crypto';
import type { Account, AccountInput, SandboxBooking, WebhookConfig, WebhookSubscription } from './types';
import { DEFAULT_AVAILABILITY } from './slots';
import { isValidZone } from './zone';

/** 22 URL-safe characters, like Cal.com's booking uids. */
export const newUid = () => randomBytes(16).toString('base64url').slice(0, 22);

export interface ListFilters {
  eventTypeIds?: number[];
  attendeeEmail?: string;
  attendeeName?: string;
  bookingUid?: string;
  afterStart?: Date;
  beforeEnd?: Date;
  afterUpdatedAt?: Date;
  beforeUpdatedAt?: Date;
  afterCreatedAt?: Date;
  beforeCreatedAt?: Date;
  status?: string[];
  sort?: { field: 'start' | 'end' | 'createdAt' | 'updatedAt'; dir: 'asc' | 'desc' };
}

export class Store {
  private accounts = new Map<string, Account>();
  private byUid = new Map<string, SandboxBooking>();
  /** API-registered webhook subscriptions by id (`/v2/webhooks`). */
  readonly subscriptions = new Map<string, WebhookSubscription>();
  private nextAccountId = 1;
  private nextBookingId = 1000;

  addAccount(a: AccountInput): Account {
    const timeZone = a.timeZone ?? 'Europe/Berlin';
    if (!isValidZone(timeZone)) throw new Error(`unknown time zone ${timeZone}`);
    const existing = this.accounts.get(a.apiKey);
    const id = existing?.id ?? this.nextAccountId++;
    const account: Account = {
      id,
      apiKey: a.apiKey,
      eventTypes: a.eventTypes.map((e) => ({
        id: e.id,
        lengthInMinutes: e.lengthInMinutes,
        title: e.title ?? `${e.lengthInMinutes} Min Meeting`,
        slug: e.slug ?? `${e.lengthInMinutes}min-${e.id}`,
        requiresConfirmation: e.requiresConfirmation ?? false,
      })),
      webhook: a.webhook ?? null,
      timeZone,
      availability: a.availability ?? DEFAULT_AVAILABILITY,
      name: a.name ?? `Host ${id}`,
      email: a.email ?? `host${id}@sandbox.cal.local`,
      username: a.username ?? `host${id}`,
    };
    this.accounts.set(a.apiKey, account);
    return account;
  }

  setWebhook(apiKey: string, hook: WebhookConfig | null): void {
    const a = this.accounts.get(apiKey);
    if (!a) throw new Error('unknown account');
    a.webhook = hook;
  }

  account(apiKey: string): Account | undefined {
    return this.accounts.get(apiKey);
  }

  accountById(id: number): Account | undefined {
    return [...this.accounts.values()].find((a) => a.id === id);
  }

  allAccounts(): Account[] {
    return [...this.accounts.values()];
  }

  nextId(): number {
    return this.nextBookingId++;
  }

  put(b: SandboxBooking): void {
    this.byUid.set(b.uid, b);
  }

  delete(uid: string): void {
    this.byUid.delete(uid);
  }

  get(uid: string): SandboxBooking | undefined {
    return this.byUid.get(uid);
  }

  all(): SandboxBooking[] {
    return [...this.byUid.values()];
  }

  ofAccount(accountId: number): SandboxBooking[] {
    return this.all().filter((b) => b.accountId === accountId);
  }

  reset(): void {
    this.accounts.clear();
    this.byUid.clear();
    this.subscriptions.clear();
  }

  subscriptionsOf(accountId: number): WebhookSubscription[] {
    return [...this.subscriptions.values()].filter((s) => s.accountId === accountId);
  }

  list(accountId: number, f: ListFilters, now: Date): SandboxBooking[] {
    const rows = this.ofAccount(accountId).filter((b) => {
      if (f.eventTypeIds && !f.eventTypeIds.includes(b.eventTypeId)) return false;
      if (
        f.attendeeEmail &&
        !b.attendees.some((a) => a.email.toLowerCase() === f.attendeeEmail!.toLowerCase())
      )
        return false;
      if (
        f.attendeeName &&
        !b.attendees.some((a) => a.name.toLowerCase().includes(f.attendeeName!.toLowerCase()))
      )
        return false;
      if (f.bookingUid && b.uid !== f.bookingUid) return false;
      if (f.afterStart && b.start < f.afterStart) return false;
      if (f.beforeEnd && b.end > f.beforeEnd) return false;
      if (f.afterUpdatedAt && b.updatedAt < f.afterUpdatedAt) return false;
      if (f.beforeUpdatedAt && b.updatedAt > f.beforeUpdatedAt) return false;
      if (f.afterCreatedAt && b.createdAt < f.afterCreatedAt) return false;
      if (f.beforeCreatedAt && b.createdAt > f.beforeCreatedAt) return false;
      if (f.status && f.status.length && !f.status.some((s) => matchesStatus(b, s, now))) return false;
      return true;
    });
    const { field, dir } = f.sort ?? { field: 'start', dir: 'asc' };
    const sign = dir === 'asc' ? 1 : -1;
    return rows.sort((a, b) => sign * (a[field].getTime() - b[field].getTime()) || a.id - b.id);
  }
}

/** Cal.com's list statuses (upcoming, recurring, past, cancelled, unconfirmed). */
function matchesStatus(b: SandboxBooking, s: string, now: Date): boolean {
  const live = b.status === 'accepted' || b.status === 'pending';
  switch (s) {
    case 'upcoming':
      return live && b.end >= now;
    case 'unconfirmed':
      return b.status === 'pending' && b.end >= now;
    case 'past':
      return live && b.end < now;
    case 'cancelled':
      return b.status === 'cancelled' || b.status === 'rejected';
    case 'recurring':
      return false; // the sandbox has no recurring event types
    default:
      return false;
  }
}

/** A booking as API v2 (2024-08-13) renders it. */
export function toApiBooking(account: Account, b: SandboxBooking) {
  const et = account.eventTypes.find((e) => e.id === b.eventTypeId);
  const attendee = b.attendees[0];
  return {
    id: b.id,
    uid: b.uid,
    title: b.title,
    description: b.description,
    hosts: [
      {
        id: account.id,
        name: account.name,
        email: account.email,
        username: account.username,
        timeZone: account.timeZone,
      },
    ],
    status: b.status,
    ...(b.cancellationReason !== undefined ? { cancellationReason: b.cancellationReason } : {}),
    ...(b.cancelledByEmail !== undefined ? { cancelledByEmail: b.cancelledByEmail } : {}),
    ...(b.reschedulingReason !== undefined ? { reschedulingReason: b.reschedulingReason } : {}),
    ...(b.rescheduledByEmail !== undefined ? { rescheduledByEmail: b.rescheduledByEmail } : {}),
    ...(b.rescheduledFromUid !== undefined ? { rescheduledFromUid: b.rescheduledFromUid } : {}),
    ...(b.rescheduledToUid !== undefined ? { rescheduledToUid: b.rescheduledToUid } : {}),
    start: b.start.toISOString(),
    end: b.end.toISOString(),
    duration: Math.round((b.end.getTime() - b.start.getTime()) / 60_000),
    eventTypeId: b.eventTypeId,
    eventType: { id: b.eventTypeId, slug: et?.slug ?? '' },
    location: b.location,
    absentHost: false,
    createdAt: b.createdAt.toISOString(),
    updatedAt: b.updatedAt.toISOString(),
    metadata: { ...b.metadata },
    icsUid: `${b.uid}@Cal.com`,
    attendees: b.attendees.map((a) => ({ ...a })),
    guests: [...b.guests],
    bookingFieldsResponses: {
      name: attendee?.name,
      email: attendee?.email,
      ...(attendee?.phoneNumber ? { attendeePhoneNumber: attendee.phoneNumber } : {}),
      ...b.bookingFieldsResponses,
    },
  };
}
export type ApiBooking = ReturnType<typeof toApiBooking>;
