// Starts containers only when NATS_URL/DATABASE_URL are unset and a Docker engine answers (see libs/testkit).
require('tsx/cjs/api').register();
const { startContainersIfNeeded } = require('../libs/testkit/src/containers.ts');
module.exports = async () => {
  const how = await startContainersIfNeeded();
  if (how === 'containers') console.log(`\n[test infra] testcontainers: ${process.env.NATS_URL}`);
};
