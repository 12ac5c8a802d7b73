/**
 * The phone agent's functions (SPEC §4.3) in the document: one path per function,
 * each with the argument schema the function parses. A new function fails to
 * compile here until it is documented (the map is keyed by RetellFunctionName).
 */
import { z } from 'zod';
import { HTTP_HEADERS, jsonContent as json, type HttpRoute } from '@calsync/contracts';
import type { RetellFunctionName } from '../../domain/retell';
import { bookArgs, cancelArgs, checkAvailabilityArgs, rescheduleArgs } from '../../domain/retell/args';
import { RETELL, errors, replayedHeader, tenantParams } from './common';
import { retellAnswerSchema } from './responses';

const FUNCTIONS: Record<RetellFunctionName, { summary: string; description: string; args: z.ZodType }> = {
  check_availability: {
    summary: 'Free slots',
    description:
      "`date` (`YYYY-MM-DD`) or `from`/`to`; `eventTypeId` defaults to the tenant's first, `timeZone` to the tenant's.",
    args: checkAvailabilityArgs,
  },
  book_appointment: {
    summary: 'Book for the caller',
    description:
      "`start` with an offset, or local `YYYY-MM-DDTHH:mm` plus `timeZone`. Without `phone` the caller's number is used. A taken slot answers with alternatives.",
    args: bookArgs,
  },
  cancel_appointment: {
    summary: "Cancel the caller's appointment",
    description: "By `appointmentId`, or by `date` to find the caller's appointment by phone number.",
    args: cancelArgs,
  },
  reschedule_appointment: {
    summary: "Move the caller's appointment",
    description: 'Found as for cancel_appointment; `start` as for book_appointment.',
    args: rescheduleArgs,
  },
};

const call = z
  .looseObject({
    call_id: z.string().optional(),
    from_number: z.string().optional(),
    to_number: z.string().optional(),
    direction: z.enum(['inbound', 'outbound']).optional(),
  })
  .meta({
    id: 'RetellCall',
    description: 'The customer is `from_number` on inbound calls, `to_number` on outbound.',
  });

export const retellRoutes: HttpRoute[] = Object.entries(FUNCTIONS).map(([name, f]) => ({
  method: 'post',
  path: `/v1/tenants/{tenantId}/retell/functions/${name}`,
  operationId: `retell_${name}`,
  summary: `${name}: ${f.summary}`,
  description: `${f.description}\n\nBody \`{name, args, call}\` (Retell's default) or the arguments alone, with the call id and number in headers. Missing or invalid arguments answer 200 with \`error: "invalid_arguments"\` and a sentence saying what is missing. A retry of the same request gets the first answer and has no second effect.`,
  tags: ['Retell functions'],
  security: [{ [RETELL]: [] }],
  request: {
    params: tenantParams,
    headers: z.object({
      [HTTP_HEADERS.retellCallId]: z
        .string()
        .optional()
        .meta({ description: 'With arguments alone: the call.' }),
      [HTTP_HEADERS.retellFromNumber]: z
        .string()
        .optional()
        .meta({ description: "With arguments alone: the caller's number." }),
    }),
    body: {
      required: true,
      content: json(
        z.union([
          z.object({
            name: z
              .string()
              .optional()
              .meta({ description: `The function name ("${name}")` }),
            args: f.args,
            call: call.optional(),
          }),
          f.args,
        ]),
      ),
    },
  },
  responses: {
    200: {
      description: 'What the agent says, also for business failures ("slot taken") and outages.',
      headers: replayedHeader,
      content: json(retellAnswerSchema),
    },
    ...errors({
      400: '`invalid_request`: the body is not JSON.',
      401: '`unauthorized`: unknown tenant, no Retell key, or a missing, stale or wrong signature (all the same).',
      413: '`payload_too_large`: the body is over 1 MB.',
      429: '`rate_limited`: over the client or tenant budget, or too many failed signatures.',
      500: '`internal`.',
    }),
  },
}));
