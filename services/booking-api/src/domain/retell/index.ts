/**
 * The phone agent's functions (SPEC §4.3): built from their dependencies, run
 * once per call id + function + arguments.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { Db, TenantRecord } from '@calsync/db';
import type { Topology } from '@calsync/contracts';
import type { Clock, Logger } from '@calsync/platform';
import { createAppointmentsRepo } from '../../db/appointments-repo';
import type { IdempotencyRepo } from '../../db/idempotency-repo';
import { createRetellRepo } from '../../db/retell-repo';
import { createSyncResultWaiter } from '../../messaging/sync-results';
import type { AppointmentsService } from '../appointments';
import { createAvailability, type SlotsPort } from './availability';
import { bookAppointment, checkAvailability } from './booking';
import { cancelAppointment, rescheduleAppointment } from './changes';
import type { RetellAnswer, RetellCall, RetellDeps } from './context';
import { createRetellOnce } from './once';

export type { RetellAnswer, RetellCall } from './context';

const FUNCTIONS = {
  check_availability: checkAvailability,
  book_appointment: bookAppointment,
  cancel_appointment: cancelAppointment,
  reschedule_appointment: rescheduleAppointment,
} as const;
export type RetellFunctionName = keyof typeof FUNCTIONS;
export const isRetellFunction = (name: string): name is RetellFunctionName => Object.hasOwn(FUNCTIONS, name);

export interface RetellFunctionsDeps {
  db: Db;
  appointments: AppointmentsService;
  idempotency: IdempotencyRepo;
  nc: NatsConnection;
  topology: Topology;
  slots: SlotsPort;
  calcomTimeoutMs: number;
  clock: Clock;
  logger: Logger;
}

export function createRetellFunctions(d: RetellFunctionsDeps) {
  const repo = createRetellRepo(d.db);
  const deps: RetellDeps = {
    appointments: d.appointments,
    rows: createAppointmentsRepo(d.db),
    repo,
    availability: createAvailability({
      slots: d.slots,
      repo,
      logger: d.logger,
      calcomTimeoutMs: d.calcomTimeoutMs,
    }),
    waitForSync: createSyncResultWaiter({ nc: d.nc, topology: d.topology }),
    clock: d.clock,
    logger: d.logger,
  };
  const once = createRetellOnce({ repo: d.idempotency, clock: d.clock });

  return {
    /**
     * Runs `name` for the call. `argsHash` identifies the arguments (sha256 of
     * their stable JSON). Changes run once per call id + function + arguments
     * (without a call id: per arguments). check_availability changes nothing, so
     * a retry simply looks again: a replayed snapshot would offer slots that are
     * gone (or hide the one the caller just freed) later in the same call.
     */
    invoke(
      name: RetellFunctionName,
      tenant: TenantRecord,
      call: RetellCall,
      args: unknown,
      argsHash: string,
    ): Promise<{ answer: RetellAnswer; replayed: boolean }> {
      const run = () => FUNCTIONS[name](deps, tenant, call, args);
      if (name === 'check_availability') return run().then((answer) => ({ answer, replayed: false }));
      const key = {
        tenantId: tenant.id,
        scope: `retell:${name}`,
        key: `${call.callId ?? 'no-call-id'}:${argsHash}`,
        hash: argsHash,
      };
      return once(key, call.deadline, run);
    },
  };
}
export type RetellFunctions = ReturnType<typeof createRetellFunctions>;
