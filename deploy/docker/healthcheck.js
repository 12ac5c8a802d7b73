// Container health probe without curl/wget (absent from node:*-slim).
// Usage: node /app/healthcheck.js [path] [port]
//   path defaults to /readyz (/livez for the Cal.com sandbox);
//   port defaults to the SERVICE's port variable (SPEC §3).
'use strict';
const service = process.env.SERVICE || '';
const portVars = {
  'booking-api': ['BOOKING_API_PORT', 3000],
  'webhook-gateway': ['WEBHOOK_GATEWAY_PORT', 3001],
  'calcom-sync': ['CALCOM_SYNC_PORT', 3002],
  'calcom-sandbox': ['CALCOM_SANDBOX_PORT', 3100],
};
const [portVar, portDefault] = portVars[service] || ['PORT', 3000];
const path = process.argv[2] || (service === 'calcom-sandbox' ? '/livez' : '/readyz');
const port = Number(process.argv[3] || process.env[portVar] || portDefault);
fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2500) })
  .then((res) => process.exit(res.ok ? 0 : 1))
  .catch(() => process.exit(1));
