/**
 * Error classes with a typed code. Domain code throws these; the error middleware
 * (http.ts) answers any CodedError with its `status`, so the domain never sees Express.
 * The platform knows only the generic HTTP codes below; a service with codes of its own
 * (booking-api's slot_taken, …) adds them with `withErrorCodes` and its own CodedError.
 */
export const HTTP_ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
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
export type ErrorCode = keyof typeof HTTP_ERROR_STATUS;

/** An error with a code clients can branch on and the HTTP status it is answered with. */
export abstract class CodedError<C extends string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
  abstract get status(): number;
}

/** An error with one of the generic codes every service may answer with. */
export class AppError extends CodedError<ErrorCode> {
  override name = 'AppError';
  get status(): number {
    return HTTP_ERROR_STATUS[this.code];
  }
}

/**
 * A service's status table: the generic codes plus its own. A generic code cannot be
 * given another status (it is a compile error), so a code means the same everywhere.
 */
export function withErrorCodes<const T extends Record<string, number>>(
  own: T & { [K in keyof T & ErrorCode]: never },
): typeof HTTP_ERROR_STATUS & T {
  return { ...HTTP_ERROR_STATUS, ...own };
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
