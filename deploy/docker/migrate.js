// One-shot schema migration, for deployments whose services start with DB_MIGRATE=false:
// the Kubernetes Job (deploy/k8s/base/migrate-job.yaml) and the compose `migrate` service.
// Creates the database when it is missing, applies the pending migrations of libs/db under
// its MySQL named lock (so a second run at the same time waits and finds nothing to do),
// and exits 0; on failure one JSON line and exit 1. The services' /readyz stays false until
// every migration is recorded, so they take no traffic on an old schema.
//   node /app/migrate.js        (in any of the service images; DATABASE_URL, LOG_LEVEL)
'use strict';
const { z } = require('zod');
const { createDb, ensureDatabase, migrate } = require('@calsync/db');
const { commonConfig, commonEnvShape, createLogger, parseEnv } = require('@calsync/platform');

async function main() {
  const config = commonConfig(parseEnv(z.object(commonEnvShape), process.env));
  const logger = createLogger({ service: 'migrate', level: config.logLevel });
  await ensureDatabase(config.db.url);
  const db = createDb({ url: config.db.url, poolMax: 1, logger });
  try {
    const applied = await migrate(db, logger);
    logger.info('Schema up to date', { applied: applied.length });
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(
    JSON.stringify({
      level: 'error',
      service: 'migrate',
      message: err instanceof Error ? err.message : String(err),
    }),
  );
  process.exit(1);
});
