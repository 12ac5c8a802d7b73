/**
 * Winston JSON logger that cannot leak: keys that look like secrets are replaced,
 * customer e-mail addresses and phone numbers are masked wherever they appear.
 */
import winston from 'winston';

export type Logger = winston.Logger;

const SECRET_KEY =
  /(authorization|api[-_]?key|apikey|secret|token|password|signature|cookie|credential|private)/i;
const EMAIL_KEY = /e-?mail/i;
const PHONE_KEY = /(phone|from_?number|to_?number|msisdn)/i;
const EMAIL_RE = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
const PHONE_RE = /\+(\d{2})\d{4,11}(\d{2})\b/g;
const BEARER_RE = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/gi;
const CAL_KEY_RE = /\bcal_(live_)?[A-Za-z0-9]{6,}\b/g;

export function maskEmail(v: string): string {
  return v.replace(EMAIL_RE, (_m, first: string, domain: string) => `${first}***@${domain}`);
}

export function maskPhone(v: string): string {
  return v.replace(PHONE_RE, (_m, cc: string, last: string) => `+${cc}***${last}`);
}

/** A value known to be a phone number: keep the country code and last two digits. */
export function maskPhoneValue(v: string): string {
  const masked = maskPhone(v);
  return masked !== v ? masked : v.replace(/\d(?=\d{2})/g, '*');
}

/** Masks personal data and secrets that slipped into free text. */
export function scrubText(v: string): string {
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
      else if (EMAIL_KEY.test(k) && typeof v === 'string') out[k] = maskEmail(v);
      else if (PHONE_KEY.test(k) && typeof v === 'string') out[k] = maskPhoneValue(v);
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
  return winston.createLogger({
    level: opts.level ?? 'info',
    defaultMeta: { service: opts.service },
    format: winston.format.combine(
      winston.format.timestamp(),
      winston.format.errors({ stack: false }),
      redactFormat(),
      winston.format.json(),
    ),
    transports: [transport],
  });
}
