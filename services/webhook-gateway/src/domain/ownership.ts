/**
 * The tenant comes from the URL alone. A signed payload naming an event type of
 * another tenant (or of none) must not be applied to this one: the seed's VULN-001.
 */
export type OwnershipVerdict = 'owned' | 'missing' | 'foreign';

export function checkEventTypeOwnership(
  tenantEventTypeIds: readonly number[],
  eventTypeId: number | null | undefined,
): OwnershipVerdict {
  if (eventTypeId === null || eventTypeId === undefined) return 'missing';
  return tenantEventTypeIds.includes(eventTypeId) ? 'owned' : 'foreign';
}
