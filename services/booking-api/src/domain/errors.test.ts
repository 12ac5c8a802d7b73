import { HTTP_ERROR_STATUS } from '@calsync/platform';
import { ApiError, ERROR_STATUS, notFound } from './errors';

describe("booking-api's error codes", () => {
  it('are the generic codes with their statuses, and its own', () => {
    expect(ERROR_STATUS).toEqual({
      ...HTTP_ERROR_STATUS,
      slot_taken: 409,
      already_cancelled: 409,
      not_in_review: 409,
      idempotency_in_progress: 409,
      idempotency_mismatch: 422,
    });
  });

  it('give an ApiError the status of its code', () => {
    expect(new ApiError('idempotency_mismatch', 'another body').status).toBe(422);
    expect(notFound('Appointment')).toMatchObject({
      code: 'not_found',
      status: 404,
      message: 'Appointment not found',
    });
  });
});
