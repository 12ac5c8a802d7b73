/**
 * One error class for every answer Cal.com gives (both of its error shapes)
 * and one for calls that got no answer. `kind` and `retryable` are what the
 * sync acts on; `calcomMessage` is Cal.com's own text. The API key is never in
 * either.
 */
export interface RateLimitInfo {
  limit: number;
  remaining: number;
  /** Seconds until the window (or block) resets. */
  resetSeconds: number;
}

export type CalcomErrorKind =
  | 'slot_taken'
  | 'validation'
  | 'conflict'
  | 'not_found'
  | 'unauthorized'
  | 'rate_limited'
  | 'server'
  | 'already_cancelled'
  | 'already_rescheduled';

export class CalcomApiError extends Error {
  override name = 'CalcomApiError';
  readonly retryable: boolean;
  constructor(
    readonly status: number,
    readonly code: string,
    readonly calcomMessage: string,
    readonly kind: CalcomErrorKind,
    readonly operation: string,
    readonly rateLimit?: RateLimitInfo,
    retryable?: boolean,
  ) {
    super(`Cal.com ${operation} failed: ${status} ${kind}: ${calcomMessage}`);
    this.retryable = retryable ?? (kind === 'rate_limited' || kind === 'server');
  }
}

export class CalcomTransportError extends Error {
  override name = 'CalcomTransportError';
  readonly retryable = true;
  constructor(
    readonly kind: 'timeout' | 'network',
    readonly operation: string,
    /** The request may have reached Cal.com: a create may have happened. Look it up before retrying. */
    readonly outcomeUnknown: boolean,
    options?: { cause?: unknown },
  ) {
    super(`Cal.com ${operation} ${kind === 'timeout' ? 'timed out' : 'failed on the network'}`, options);
  }
}

const SLOT_TAKEN = /already has booking|not available|no available users|slot.*(taken|unavailable)/i;
const ALREADY_RESCHEDULED =
  /already (been )?rescheduled|can'?t reschedule|cannot reschedule|can not reschedule/i;
const ALREADY_CANCELLED = /already (been )?cancel/i;

export function classify(status: number, message: string): CalcomErrorKind {
  if (status === 400) {
    if (SLOT_TAKEN.test(message)) return 'slot_taken';
    if (ALREADY_RESCHEDULED.test(message)) return 'already_rescheduled';
    if (ALREADY_CANCELLED.test(message)) return 'already_cancelled';
    return 'validation';
  }
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server';
  return 'validation';
}

/**
 * Reads either `{status:"error", error:{code, message, details}}` or
 * `{statusCode, message, error}`; anything else keeps the HTTP status only.
 */
export function parseErrorBody(status: number, body: unknown): { code: string; message: string } {
  const text = (v: unknown): string | undefined =>
    typeof v === 'string'
      ? v
      : Array.isArray(v)
        ? v.filter((x) => typeof x === 'string').join('; ')
        : undefined;
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const err = b.error;
    if (err && typeof err === 'object') {
      const e = err as Record<string, unknown>;
      return { code: text(e.code) ?? `HTTP_${status}`, message: text(e.message) ?? '' };
    }
    if ('statusCode' in b || 'message' in b) {
      return { code: text(b.error)?.replace(/\s+/g, '') || `HTTP_${status}`, message: text(b.message) ?? '' };
    }
  }
  return { code: `HTTP_${status}`, message: typeof body === 'string' ? body.slice(0, 200) : '' };
}

/** undici's connect failures: the request never left this machine. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export function transportError(err: unknown, operation: string): CalcomTransportError {
  const e = err as { name?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return new CalcomTransportError('timeout', operation, true, { cause: err });
  }
  const code = e?.cause?.code;
  return new CalcomTransportError('network', operation, !(code && NOT_SENT.has(code)), { cause: err });
}
