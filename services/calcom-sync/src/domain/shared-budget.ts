/**
 * The tenant's Cal.com budget across replicas and services (SPEC §6.7) lives in
 * @calsync/calcom-access, shared with booking-api; imported from here as before.
 */
export {
  createSharedBudget,
  planPace,
  type PacePlan,
  type SharedBudget,
  type UsageStore,
} from '@calsync/calcom-access';
