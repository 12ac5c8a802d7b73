/**
 * What calcom-sync made of a change, read from the row: the phone agent only
 * says "confirmed" when Cal.com has the booking at that version.
 */
import type { AppointmentRow } from '@calsync/db';
import { AMBIGUOUS_NOTE, slotView, type RetellAnswer, type RetellDeps } from './context';

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
function waitForVerdict(
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

/** A change committed for the caller: the appointment, the version Cal.com must reach, the time asked for. */
export interface CommittedChange {
  tenantId: string;
  appointmentId: string;
  version: number;
  /** The call's deadline (epoch ms). */
  deadline: number;
  when: { instant: Date; ambiguous: boolean };
  zone: string;
}

export interface VerdictWords {
  /** Said when Cal.com has it (the ambiguous-time note follows). */
  confirmed: string;
  /** What was noted ("I've noted … for you"): the start of the not-confirmed and pending sentences. */
  noted: string;
  /** Cal.com kept the time for someone else: undo the change locally and offer alternatives. */
  taken(): Promise<RetellAnswer>;
}

/** What is said for a verdict (undefined: still pending); `fields` go with every sentence but "taken". */
async function said(
  verdict: Verdict | undefined,
  words: VerdictWords,
  note: string,
  fields: Record<string, unknown>,
): Promise<RetellAnswer> {
  switch (verdict?.kind) {
    case 'confirmed':
      return { result: `${words.confirmed}${note}`, status: 'confirmed', ...fields };
    case 'taken':
      return words.taken();
    case 'failed':
      return {
        result: `${words.noted}, but I could not confirm it in the calendar. The team will check it and get back to you.`,
        status: 'not_confirmed',
        ...fields,
      };
    case undefined:
      return {
        result: `${words.noted}, but the calendar has not confirmed it yet. You'll get a confirmation as soon as it is through.${note}`,
        status: 'pending',
        ...fields,
      };
  }
}

/**
 * The answer to a committed change: waits for calcom-sync's verdict on it, at most until the
 * call's deadline, and says it — confirmed, taken (`words.taken`), not confirmed, or still pending.
 */
export async function answerAfterSync(
  deps: Pick<RetellDeps, 'appointmentsRepo' | 'waitForSync'>,
  change: CommittedChange,
  words: VerdictWords,
): Promise<{ verdict: Verdict | undefined; answer: RetellAnswer }> {
  const { tenantId, appointmentId, when, zone } = change;
  const verdict = await waitForVerdict(deps, tenantId, appointmentId, change.version, change.deadline);
  const note = when.ambiguous ? AMBIGUOUS_NOTE : '';
  const fields = { appointmentId, ...slotView(when.instant, zone), timeZone: zone };
  return { verdict, answer: await said(verdict, words, note, fields) };
}
