/**
 * `/admin`: the staff console (SPEC §4.6), static files from this host only. The
 * page (`console/static`) and its scripts (compiled from `console/src` into
 * `dist/console` by `npm run build`) talk to nothing but the admin API and the
 * events endpoint, so the Content-Security-Policy can be strict: own origin only,
 * no inline script or style, no framing.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import express, { Router, type RequestHandler } from 'express';
import type { Logger } from '@calsync/platform';

/** Both from src/http (tsx) and from dist/http (built): the service's own folder is two levels up. */
const SERVICE_DIR = resolve(__dirname, '..', '..');
export const CONSOLE_DIRS = {
  static: resolve(SERVICE_DIR, 'console', 'static'),
  scripts: resolve(SERVICE_DIR, 'dist', 'console'),
};

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('X-Frame-Options', 'DENY');
  next();
};

export function consoleRouter(deps: { logger: Logger; dirs?: typeof CONSOLE_DIRS }): Router {
  const dirs = deps.dirs ?? CONSOLE_DIRS;
  if (!existsSync(resolve(dirs.scripts, 'main.js')))
    deps.logger.warn('The console is not built (npm run build); /admin will not work', {
      dir: dirs.scripts,
    });
  // Revalidated on every load (ETag), so a deploy is picked up at once.
  const files = { index: 'index.html', redirect: false, maxAge: 0, dotfiles: 'deny' } as const;
  const r = Router();
  r.use('/admin', securityHeaders);
  r.get('/admin', (req, res, next) => {
    if (req.originalUrl.split('?')[0] === '/admin') return res.redirect(301, '/admin/');
    next();
  });
  r.use('/admin/js', express.static(dirs.scripts, { ...files, index: false }));
  r.use('/admin', express.static(dirs.static, files));
  return r;
}
