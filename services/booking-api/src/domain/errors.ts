/**
 * booking-api's error codes: the platform's generic ones plus those only this API answers
 * with. The platform's error middleware answers an ApiError with its status; the OpenAPI
 * document lists, per status, exactly the codes of this table (http/openapi/common.ts).
 */
import { CodedError, withErrorCodes } from '@calsync/platform';

export const ERROR_STATUS = withErrorCodes({
  /** The start overlaps a booked appointment of the event type. */
  slot_taken: 409,
  already_cancelled: 409,
  not_in_review: 409,
  /** The first request with this Idempotency-Key is still running. */
  idempotency_in_progress: 409,
  /** The Idempotency-Key was used with another body. */
  idempotency_mismatch: 422,
});
export type ErrorCode = keyof typeof ERROR_STATUS;

export class ApiError extends CodedError<ErrorCode> {
  override name = 'ApiError';
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string) => new ApiError('not_found', `${what} not found`);
