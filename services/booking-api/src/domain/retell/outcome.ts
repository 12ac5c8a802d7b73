/**
 * What calcom-sync made of a change, read from the row: the phone agent only
 * says "confirmed" when Cal.com has the booking at that version.
 */
import type { AppointmentRow } from '@calsync/db';
import type { RetellAnswer, RetellDeps } from './context';

export type Verdict =
  | { kind: 'confirmed' }
  /** Cal.com refused the time: someone else has it (or the host is not available then). */
  | { kind: 'taken'; code: string }
  /** Any other refusal or given up after retries: in the review queue, a human follows up. */
  | { kind: 'failed'; code: string | null };

/**
 * Error codes calcom-sync records when Cal.com refuses a time (SPEC §6.5; it records a 409 same-time
 * race as slot_taken too). Not `conflict`: that is a customer's change in Cal.com on top of ours, so
 * Cal.com did NOT keep the old booking and the appointment must not be moved back — staff decide.
 */
const TAKEN_CODES = new Set(['slot_taken']);

/** undefined while calcom-sync has not decided `version` yet. */
export function verdictOf(row: AppointmentRow, version: number): Verdict | undefined {
  if (row.requires_manual_review === 1) {
    const code = row.sync_error_code ?? row.manual_review_reason;
    return code && TAKEN_CODES.has(code) ? { kind: 'taken', code } : { kind: 'failed', code };
  }
  if (row.sync_status === 'synced' && row.synced_version >= version) return { kind: 'confirmed' };
  if (row.sync_status === 'failed') return { kind: 'failed', code: row.sync_error_code };
  return undefined;
}

/** Waits, at most until the call's deadline, for calcom-sync's verdict on `version` of the appointment. */
export function waitForVerdict(
  deps: Pick<RetellDeps, 'appointmentsRepo' | 'waitForSync'>,
  tenantId: string,
  id: string,
  version: number,
  deadline: number,
): Promise<Verdict | undefined> {
  return deps.waitForSync(
    tenantId,
    id,
    async () => {
      const row = await deps.appointmentsRepo.get(tenantId, id);
      return row ? verdictOf(row, version) : undefined;
    },
    deadline,
  );
}

export interface VerdictWords {
  /** Said when Cal.com has it. */
  confirmed: string;
  /** What was noted ("I've noted … for you"): the start of the not-confirmed and pending sentences. */
  noted: string;
  /** Appended to the pending sentence (the ambiguous-time note, or nothing). */
  note: string;
  /** The answer's fields besides `result` and `status`. */
  fields: Record<string, unknown>;
  /** Cal.com kept the time for someone else: undo the change locally and offer alternatives. */
  taken(): Promise<RetellAnswer>;
}

/** The answer to a committed change once calcom-sync has spoken, or not yet (undefined: still pending). */
export async function answerByVerdict(verdict: Verdict | undefined, w: VerdictWords): Promise<RetellAnswer> {
  switch (verdict?.kind) {
    case 'confirmed':
      return { result: w.confirmed, status: 'confirmed', ...w.fields };
    case 'taken':
      return w.taken();
    case 'failed':
      return {
        result: `${w.noted}, but I could not confirm it in the calendar. The team will check it and get back to you.`,
        status: 'not_confirmed',
        ...w.fields,
      };
    case undefined:
      return {
        result: `${w.noted}, but the calendar has not confirmed it yet. You'll get a confirmation as soon as it is through.${w.note}`,
        status: 'pending',
        ...w.fields,
      };
  }
}
