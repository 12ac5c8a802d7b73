/** Standalone sandbox (demo, docker compose): `node dist/main.js`. */
import { createLogger } from '@calsync/platform';
import { loadConfig } from './config';
import { createCalcomSandbox } from './sandbox';

async function main() {
  const config = loadConfig(process.env);
  const logger = createLogger({ service: 'calcom-sandbox', level: config.logLevel });
  const sandbox = await createCalcomSandbox({
    port: config.port,
    rateLimit: config.rateLimit,
    latencyMs: config.latencyMs,
    logger,
  });
  for (const a of config.accounts) sandbox.addAccount(a);
  logger.info('Cal.com sandbox ready', { url: sandbox.url, accounts: config.accounts.length });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
