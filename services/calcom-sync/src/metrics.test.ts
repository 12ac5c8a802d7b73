/**
 * The alert rules, their promtool tests and the dashboards use only the sync_attempts_total
 * outcomes calcom-sync emits, and count failures exactly as SYNC_ATTEMPT_OUTCOMES groups them
 * (issue 10: loop-prevented events once counted as failed pushes).
 */
import { labelValuesUsed, recordingRule, selectorsOf } from '@calsync/testkit';
import { SYNC_ATTEMPT_OUTCOMES, failedOutcome } from './metrics';

const { succeeded, failed, notAttempted } = SYNC_ATTEMPT_OUTCOMES;
const all: readonly string[] = [...succeeded, ...failed, ...notAttempted];

/** The outcomes a recording rule's sync_attempts_total selector matches (positive matchers only). */
function outcomesOf(rule: string): string[] {
  const matchers = selectorsOf(recordingRule(rule), 'alerts.yml')
    .filter((s) => s.metric === 'sync_attempts_total')
    .flatMap((s) => s.matchers.filter((m) => m.label === 'outcome'));
  expect(matchers.every((m) => m.op === '=~' || m.op === '=')).toBe(true);
  return matchers.flatMap((m) => m.value.split('|')).sort();
}

test('the monitoring uses only outcome values the code emits', () => {
  const used = labelValuesUsed('sync_attempts_total', 'outcome');
  expect(used.length).toBeGreaterThan(0);
  expect(used.filter((u) => !all.includes(u.value))).toEqual([]);
});

test('the failure rule counts exactly the failed calls, the attempts rule exactly the calls made', () => {
  expect(outcomesOf('calsync:sync_attempts_failed:rate5m')).toEqual([...failed].sort());
  expect(outcomesOf('calsync:sync_attempts:rate5m')).toEqual([...succeeded, ...failed].sort());
});

test('every outcome has one meaning', () => {
  expect(new Set(all).size).toBe(all.length);
});

test('a Cal.com error code outside the list is counted as calcom_error, never as a new label value', () => {
  expect(failedOutcome('slot_taken')).toBe('slot_taken');
  expect(failedOutcome('something_new')).toBe('calcom_error');
  expect(failedOutcome('success')).toBe('calcom_error');
});
