/**
 * The tenant comes from the URL alone. A signed payload naming an event type of
 * another tenant (or of none) must not be applied to this one: a delivery signed with one tenant's secret could otherwise change another tenant's appointments.
 */
export type OwnershipVerdict = 'owned' | 'missing' | 'foreign';

export function checkEventTypeOwnership(
  tenantEventTypeIds: readonly number[],
  eventTypeId: number | null | undefined,
): OwnershipVerdict {
  if (eventTypeId === null || eventTypeId === undefined) return 'missing';
  return tenantEventTypeIds.includes(eventTypeId) ? 'owned' : 'foreign';
}
