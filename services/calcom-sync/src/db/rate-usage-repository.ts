/** The SQL of the shared Cal.com budget (`calcom_rate_usage`) lives in @calsync/calcom-access. */
export { createRateUsageStore as createRateUsageRepository } from '@calsync/calcom-access';
