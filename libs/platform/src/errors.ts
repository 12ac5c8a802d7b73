/**
 * Error classes with a typed code. Domain code throws these; the HTTP layer maps
 * codes to statuses in one place (http.ts). The domain never sees Express.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  slot_taken: 409,
  already_cancelled: 409,
  not_in_review: 409,
  idempotency_in_progress: 409,
  idempotency_mismatch: 422,
  /** Well-formed, but what it refers to cannot be used (e.g. a Cal.com account without event types). */
  unprocessable: 422,
  /** An upstream (Cal.com) refused or failed a call this request depends on. */
  bad_gateway: 502,
  payload_too_large: 413,
  rate_limited: 429,
  unsupported_media_type: 415,
  unavailable: 503,
  internal: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const invalid = (message: string, details?: unknown) =>
  new AppError('invalid_request', message, details);
export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
