/** The alert rules, their promtool tests and the dashboards use only rejection reasons the gateway emits. */
import { labelValuesUsed } from '@calsync/testkit';
import { WEBHOOK_REJECTION_REASONS } from './metrics';

test('the monitoring uses only webhook_rejections_total reasons the code emits', () => {
  const reasons: readonly string[] = WEBHOOK_REJECTION_REASONS;
  const used = labelValuesUsed('webhook_rejections_total', 'reason');
  expect(used.length).toBeGreaterThan(0);
  expect(used.filter((u) => !reasons.includes(u.value))).toEqual([]);
});
