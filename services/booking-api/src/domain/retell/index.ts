/**
 * The phone agent's functions (SPEC §4.3): built from their dependencies (the
 * ports in ../ports.ts, wired by app.ts); a change runs once per request, a
 * retry gets its answer (see once.ts).
 */
import { randomUUID } from 'node:crypto';
import type { TenantRecord } from '@calsync/db';
import { sha256Hex } from '@calsync/platform';
import type { IdempotencyRepo, SlotsPort } from '../ports';
import { createAvailability } from './availability';
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

export interface RetellFunctionsDeps extends Omit<RetellDeps, 'availability'> {
  idempotency: IdempotencyRepo;
  /** Cal.com's slots, for availability (minus local bookings). */
  slots: SlotsPort;
  calcomTimeoutMs: number;
}

export function createRetellFunctions(d: RetellFunctionsDeps) {
  const deps: RetellDeps = {
    appointments: d.appointments,
    appointmentsRepo: d.appointmentsRepo,
    retellRepo: d.retellRepo,
    availability: createAvailability({
      slots: d.slots,
      repo: d.retellRepo,
      logger: d.logger,
      clock: d.clock,
      calcomTimeoutMs: d.calcomTimeoutMs,
    }),
    waitForSync: d.waitForSync,
    clock: d.clock,
    logger: d.logger,
  };
  const once = createRetellOnce({
    repo: d.idempotency,
    clock: d.clock,
    // "You're booked" is only replayed while that appointment is still booked.
    async stillTrue(tenantId, answer) {
      const id = answer.appointmentId;
      if (typeof id !== 'string' || (answer.status !== 'confirmed' && answer.status !== 'pending'))
        return true;
      return (await deps.appointmentsRepo.get(tenantId, id))?.status === 'booked';
    },
  });

  return {
    /**
     * Runs `name` for the call. `argsHash` identifies the arguments (sha256 of
     * their stable JSON). A change that repeats the call's previous request
     * within the replay window is a retry and gets its answer; anything else
     * runs. Without a call id the caller's number stands in for the call (and
     * without either, nothing is ever replayed), so two callers never share an
     * answer. check_availability changes nothing, so a retry simply looks
     * again: a replayed snapshot would offer slots that are gone (or hide the
     * one the caller just freed) later in the same call.
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
      const callKey = call.callId
        ? `call:${call.callId}`
        : call.callerPhone
          ? `phone:${call.callerPhone}`
          : `anonymous:${randomUUID()}`;
      return once(
        { tenantId: tenant.id, call: callKey, hash: sha256Hex(`${name}:${argsHash}`) },
        call.deadline,
        run,
      );
    },
  };
}
export type RetellFunctions = ReturnType<typeof createRetellFunctions>;
