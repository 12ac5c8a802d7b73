/**
 * Winston JSON logger that cannot leak: keys that look like secrets are replaced,
 * customer e-mail addresses and phone numbers are masked wherever they appear.
 */
import winston from 'winston';
import { clipText, maskEmail } from './mask';

export { clipText, maskEmail, MAX_LOG_STRING } from './mask';

export type Logger = winston.Logger;

const SECRET_KEY =
  /(authorization|api[-_]?key|apikey|secret|token|password|signature|cookie|credential|private)/i;
const EMAIL_KEY = /e-?mail/i;
const PHONE_KEY = /(phone|from_?number|to_?number|msisdn)/i;
const PHONE_RE = /\+(\d{2})\d{4,11}(\d{2})\b/g;
const BEARER_RE = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/gi;
const CAL_KEY_RE = /\bcal_(live_)?[A-Za-z0-9]{6,}\b/g;

export function maskPhone(v: string): string {
  return v.replace(PHONE_RE, (_m, cc: string, last: string) => `+${cc}***${last}`);
}

/** A value known to be a phone number: keep the country code and last two digits. */
export function maskPhoneValue(v: string): string {
  const masked = maskPhone(v);
  return masked !== v ? masked : v.replace(/\d(?=\d{2})/g, '*');
}

/**
 * Masks personal data and secrets that slipped into free text. Clipped first, so
 * the work per field is bounded whatever a client sent; every pattern left is
 * anchored on a literal (`+`, `Bearer`, `cal_`) and cannot backtrack far.
 */
export function scrubText(text: string): string {
  const v = clipText(text);
  return maskPhone(maskEmail(v.replace(BEARER_RE, '$1 [REDACTED]').replace(CAL_KEY_RE, '[REDACTED]')));
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[DEPTH]';
  if (typeof value === 'string') return scrubText(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: scrubText(value.message) };
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (SECRET_KEY.test(k) && !/^(has|is)[A-Z]|Set$|Count$/.test(k)) out[k] = '[REDACTED]';
      else if (EMAIL_KEY.test(k) && typeof v === 'string') out[k] = maskEmail(clipText(v));
      else if (PHONE_KEY.test(k) && typeof v === 'string') out[k] = maskPhoneValue(clipText(v));
      else out[k] = redact(v, depth + 1);
    }
    return out;
  }
  return value;
}

const redactFormat = winston.format((info) => {
  const { level, message, ...rest } = info;
  const cleaned = redact(rest) as Record<string, unknown>;
  const out = Object.assign(info, cleaned);
  out.message = typeof message === 'string' ? scrubText(message) : message;
  out.level = level;
  return out;
});

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Tests capture output here. */
  stream?: NodeJS.WritableStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  const transport = opts.stream
    ? new winston.transports.Stream({ stream: opts.stream })
    : new winston.transports.Console();
  // Winston formats every line before its transports drop the disabled levels:
  // filter first, so a debug line at level info costs no redaction or masking.
  const enabled = winston.format((info) => (logger.isLevelEnabled(info.level) ? info : false));
  const logger = winston.createLogger({
    level: opts.level ?? 'info',
    defaultMeta: { service: opts.service },
    format: winston.format.combine(
      enabled(),
      winston.format.timestamp(),
      winston.format.errors({ stack: false }),
      redactFormat(),
      winston.format.json(),
    ),
    transports: [transport],
  });
  return logger;
}
