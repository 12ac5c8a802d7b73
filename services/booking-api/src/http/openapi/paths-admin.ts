/** The admin API (SPEC §4.2) in the document: the same zod schemas the routers validate with. */
import { jsonContent as json, type HttpRoute } from '@calsync/contracts';
import { bulkCancelBody, cancelBody, createBody, listQuery, patchBody, rescheduleBody } from '../schemas';
import { resolveBody, retryBody, statusQuery } from '../sync';
import {
  ADMIN,
  ADMIN_AUTH,
  ALWAYS,
  BODY,
  OPERATOR,
  appointmentParams,
  errors,
  idempotencyHeaders,
  replayedHeader,
  tenantParams,
} from './common';
import {
  appointmentPageSchema,
  appointmentSchema,
  bulkCancelResultSchema,
  reviewQueueSchema,
  syncStatusSchema,
} from './responses';

const APPOINTMENTS = 'Appointments (admin)';
const SYNC = 'Sync and review (admin)';
const base = '/v1/tenants/{tenantId}';
const admin = [{ [ADMIN]: [] }];

const IDEMPOTENT = {
  409: '`idempotency_in_progress`: the first request with this Idempotency-Key still runs.',
  422: '`idempotency_mismatch`: this Idempotency-Key was used with another body.',
};
const CHANGE_409 =
  '`slot_taken` (overlaps a booked appointment of the event type; `details.conflictingAppointmentId`), `already_cancelled`, or `idempotency_in_progress`.';

const appointment = (description: string) => ({
  description,
  headers: replayedHeader,
  content: json(appointmentSchema),
});

export const adminRoutes: HttpRoute[] = [
  {
    method: 'post',
    path: `${base}/appointments`,
    operationId: 'createAppointment',
    summary: 'Create an appointment',
    description:
      '`start` carries an offset or `Z` and lies in the future; the customer needs an email or a phone. Published as `booked` and pushed to Cal.com.',
    tags: [APPOINTMENTS],
    security: admin,
    request: {
      params: tenantParams,
      headers: idempotencyHeaders,
      body: { required: true, content: json(createBody) },
    },
    responses: {
      201: appointment('Created (sync pending).'),
      ...errors({
        ...ALWAYS,
        ...ADMIN_AUTH,
        ...BODY,
        ...IDEMPOTENT,
        400: '`invalid_request`: a field is invalid, the event type unknown or the start in the past.',
        409: CHANGE_409,
      }),
    },
  },
  {
    method: 'get',
    path: `${base}/appointments`,
    operationId: 'listAppointments',
    summary: 'List appointments',
    description:
      'Ordered by start; `from`/`to` select starts in `[from, to)`. The operator token may read any tenant, also an offboarded one.',
    tags: [APPOINTMENTS],
    security: [...admin, { [OPERATOR]: [] }],
    request: { params: tenantParams, query: listQuery },
    responses: {
      200: { description: 'A page of appointments.', content: json(appointmentPageSchema) },
      ...errors({ ...ALWAYS, ...ADMIN_AUTH }),
    },
  },
  {
    method: 'post',
    path: `${base}/appointments/bulk-cancel`,
    operationId: 'bulkCancelAppointments',
    summary: 'Cancel up to 500 appointments',
    description: 'Each id on its own: one failure never undoes the others; the result reports each.',
    tags: [APPOINTMENTS],
    security: admin,
    request: {
      params: tenantParams,
      headers: idempotencyHeaders,
      body: { required: true, content: json(bulkCancelBody) },
    },
    responses: {
      200: {
        description: 'One result per id.',
        headers: replayedHeader,
        content: json(bulkCancelResultSchema),
      },
      ...errors({ ...ALWAYS, ...ADMIN_AUTH, ...BODY, ...IDEMPOTENT }),
    },
  },
  {
    method: 'get',
    path: `${base}/appointments/{id}`,
    operationId: 'getAppointment',
    summary: 'Read an appointment',
    tags: [APPOINTMENTS],
    security: [...admin, { [OPERATOR]: [] }],
    request: { params: appointmentParams },
    responses: {
      200: { description: 'The appointment.', content: json(appointmentSchema) },
      ...errors({ ...ALWAYS, ...ADMIN_AUTH, 404: '`not_found`.' }),
    },
  },
  {
    method: 'patch',
    path: `${base}/appointments/{id}`,
    operationId: 'updateAppointment',
    summary: 'Change start, customer or notes',
    description: 'A changed `start` publishes `rescheduled`, other changes `updated`.',
    tags: [APPOINTMENTS],
    security: admin,
    request: {
      params: appointmentParams,
      headers: idempotencyHeaders,
      body: { required: true, content: json(patchBody) },
    },
    responses: {
      200: appointment('Changed.'),
      ...errors({ ...ALWAYS, ...ADMIN_AUTH, ...BODY, ...IDEMPOTENT, 404: '`not_found`.', 409: CHANGE_409 }),
    },
  },
  {
    method: 'post',
    path: `${base}/appointments/{id}/cancel`,
    operationId: 'cancelAppointment',
    summary: 'Cancel an appointment',
    tags: [APPOINTMENTS],
    security: admin,
    request: {
      params: appointmentParams,
      headers: idempotencyHeaders,
      body: { required: false, content: json(cancelBody) },
    },
    responses: {
      200: appointment('Cancelled.'),
      ...errors({ ...ALWAYS, ...ADMIN_AUTH, ...BODY, ...IDEMPOTENT, 404: '`not_found`.', 409: CHANGE_409 }),
    },
  },
  {
    method: 'post',
    path: `${base}/appointments/{id}/reschedule`,
    operationId: 'rescheduleAppointment',
    summary: 'Move an appointment',
    tags: [APPOINTMENTS],
    security: admin,
    request: {
      params: appointmentParams,
      headers: idempotencyHeaders,
      body: { required: true, content: json(rescheduleBody) },
    },
    responses: {
      200: appointment('Moved.'),
      ...errors({ ...ALWAYS, ...ADMIN_AUTH, ...BODY, ...IDEMPOTENT, 404: '`not_found`.', 409: CHANGE_409 }),
    },
  },
  {
    method: 'get',
    path: `${base}/sync/status`,
    operationId: 'getSyncStatus',
    summary: 'Sync outcomes by origin',
    description: 'Appointments changed since `since` (default: 24 h ago), counted by origin and sync status.',
    tags: [SYNC],
    security: admin,
    request: { params: tenantParams, query: statusQuery },
    responses: {
      200: { description: 'The counts.', content: json(syncStatusSchema) },
      ...errors({ ...ALWAYS, ...ADMIN_AUTH }),
    },
  },
  {
    method: 'get',
    path: `${base}/sync/review`,
    operationId: 'getReviewQueue',
    summary: 'The manual-review queue',
    description:
      "Oldest flags first (at most 200), each with Cal.com's version beside ours. Cal.com being down never fails the list.",
    tags: [SYNC],
    security: admin,
    request: { params: tenantParams },
    responses: {
      200: { description: 'The queue.', content: json(reviewQueueSchema) },
      ...errors({ ...ALWAYS, ...ADMIN_AUTH }),
    },
  },
  {
    method: 'post',
    path: `${base}/appointments/{id}/sync/retry`,
    operationId: 'retrySync',
    summary: 'Sync an appointment again',
    description: 'Hands the current local state to calcom-sync again (publishes `sync-requested`).',
    tags: [SYNC],
    security: admin,
    request: { params: appointmentParams, body: { required: false, content: json(retryBody) } },
    responses: {
      202: { description: 'Accepted: the sync runs.', content: json(appointmentSchema) },
      ...errors({ ...ALWAYS, ...ADMIN_AUTH, ...BODY, 404: '`not_found`.' }),
    },
  },
  {
    method: 'post',
    path: `${base}/appointments/{id}/sync/resolve`,
    operationId: 'resolveReview',
    summary: 'Resolve a review entry',
    description:
      "`keep-local` pushes ours to Cal.com again, `keep-calcom` takes Cal.com's version, `dismiss` leaves both as they are.",
    tags: [SYNC],
    security: admin,
    request: { params: appointmentParams, body: { required: true, content: json(resolveBody) } },
    responses: {
      200: { description: 'Resolved.', content: json(appointmentSchema) },
      ...errors({
        ...ALWAYS,
        ...ADMIN_AUTH,
        ...BODY,
        404: '`not_found`.',
        409: "`not_in_review`, or `conflict`: Cal.com's booking is linked to another appointment.",
      }),
    },
  },
];
