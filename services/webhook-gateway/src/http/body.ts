/**
 * Reads the raw body with a hard limit: a declared Content-Length over the limit
 * is refused before a byte is read, and a chunked body is cut off as soon as it
 * passes the limit. Nothing is parsed here: the signature covers the raw bytes.
 */
import type { IncomingMessage } from 'node:http';

export type BodyResult = { ok: true; raw: Buffer } | { ok: false; reason: 'too_large' | 'aborted' };

/** `application/json`, optionally with a UTF-8 charset: what Cal.com sends. */
export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const [type, ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => {
    const [k, v] = p.split('=').map((s) => s.trim().replace(/^"|"$/g, ''));
    return k !== 'charset' || v === 'utf-8' || v === 'utf8';
  });
}

/** A body Content-Encoding we would have to inflate is not what was signed: refuse it. */
export function hasContentEncoding(req: IncomingMessage): boolean {
  const enc = req.headers['content-encoding'];
  return enc !== undefined && enc.trim().toLowerCase() !== 'identity' && enc.trim() !== '';
}

export function declaredLength(req: IncomingMessage): number | undefined {
  const v = req.headers['content-length'];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > limit) return Promise.resolve({ ok: false, reason: 'too_large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (r: BodyResult) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('aborted', onAbort);
      resolve(r);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        req.pause();
        finish({ ok: false, reason: 'too_large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, raw: Buffer.concat(chunks, size) });
    const onAbort = () => finish({ ok: false, reason: 'aborted' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('aborted', onAbort);
  });
}
