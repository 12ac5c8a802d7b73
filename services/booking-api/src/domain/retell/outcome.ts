/**
 * What calcom-sync made of a change, read from the row: the phone agent only
 * says "confirmed" when Cal.com has the booking at that version.
 */
import type { AppointmentRow } from '@calsync/db';

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
