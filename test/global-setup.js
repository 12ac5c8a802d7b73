// Starts containers only when NATS_URL/DATABASE_URL are unset and a Docker engine answers (see libs/testkit).
require('tsx/cjs/api').register();
const { startContainersIfNeeded } = require('../libs/testkit/src/containers.ts');
const { sweepStaleTestResources } = require('../libs/testkit/src/sweep.ts');
const { baseDatabaseUrl, natsUrl } = require('../libs/testkit/src/infra.ts');

module.exports = async () => {
  const how = await startContainersIfNeeded();
  if (how === 'containers') {
    console.log(`\n[test infra] testcontainers: ${process.env.NATS_URL}`);
    return;
  }
  // Shared servers: remove what killed runs left behind (older than 2 h, so never a running neighbour's).
  const removed = await sweepStaleTestResources({
    natsUrl: natsUrl(),
    databaseUrl: baseDatabaseUrl(),
    maxAgeMs: 2 * 3600_000,
  });
  if (removed) console.log(`\n[test infra] removed ${removed} stale test databases/streams`);
};
