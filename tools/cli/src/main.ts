/**
 * calsync: the operator's command line. Everything goes over booking-api's HTTP
 * APIs (operator token for tenants and parked deliveries, a tenant's admin token
 * for review and sync status); nothing touches the database.
 */
import { parseArgs, flag, UsageError } from './args';
import { createContext } from './context';
import { ApiError, createApi } from './http';
import { tenants } from './tenants';
import { review, sync } from './review';
import { parked } from './parked';

export const USAGE = `usage: calsync <command> [options]

  tenants add <id> --name N --time-zone Z [--api-key K] [--new-admin-token T] [--rate-limit N] [--retell-api-key K]
                                 onboard: event types from Cal.com, our webhook registered (prints the admin token once)
  tenants list [--limit N] [--cursor C] [--all]
  tenants show <id>
  tenants rotate <id>            new webhook secret; the old one is accepted 10 more minutes
  tenants remove <id> --yes      offboard: webhook deleted, secrets erased, appointments kept
  review list <tenant>
  review retry <tenant> <appointment>
  review resolve <tenant> <appointment> keep-local|keep-calcom|dismiss
  sync status <tenant> [--since ISO]
  parked list [--tenant T] [--all] [--limit N]
  parked redrive <id>            republish a parked inbound delivery to CALCOM_INBOUND

options: --url (env CALSYNC_URL, default http://127.0.0.1:3000)
         --token (env OPERATOR_TOKEN)   --admin-token (env CALSYNC_ADMIN_TOKEN)
         --json  machine-readable output
exit codes: 0 ok, 1 the API refused (its error is printed), 2 usage
`;

export interface Io {
  env: NodeJS.ProcessEnv;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  fetchImpl?: typeof fetch;
}

export async function run(argv: string[], io: Io): Promise<number> {
  try {
    const p = parseArgs(argv);
    const command = p.positionals[0];
    if (!command || p.flags.get('help') === true) {
      io.stdout(USAGE);
      return command || p.flags.get('help') === true ? 0 : 2;
    }
    const url = flag(p, 'url') ?? io.env.CALSYNC_URL ?? 'http://127.0.0.1:3000';
    const ctx = createContext(p, createApi(url, io.fetchImpl), io.env, io.stdout);
    switch (command) {
      case 'tenants':
        await tenants(ctx, p);
        return 0;
      case 'review':
        await review(ctx, p);
        return 0;
      case 'sync':
        await sync(ctx, p);
        return 0;
      case 'parked':
        await parked(ctx, p);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`calsync: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof ApiError) {
      const where = err.status ? `${err.status} ${err.code}` : err.code;
      io.stderr(`calsync: ${where}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

/** The process entry (bin/calsync.js): exit code from `run`, nothing thrown past here. */
export function main(): void {
  run(process.argv.slice(2), {
    env: process.env,
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  }).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`calsync: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
