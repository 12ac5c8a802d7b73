/**
 * `GET /openapi.json` and `GET /docs` (SPEC §4.6): public, no authentication.
 * The page is rendered once from the document and carries no script, so its
 * Content-Security-Policy allows nothing but this host's stylesheet.
 */
import { Router } from 'express';
import { openApiDocument } from './document';
import { renderReferencePage } from './reference-page';
import { REFERENCE_CSS } from './reference-style';

const STYLESHEET = '/docs/reference.css';

export const DOCS_CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function apiDocsRouter(): Router {
  let page: string | undefined;
  const r = Router();
  r.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  r.use('/docs', (_req, res, next) => {
    res.setHeader('Content-Security-Policy', DOCS_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });
  r.get('/docs', (_req, res) => {
    page ??= renderReferencePage(openApiDocument(), { stylesheet: STYLESHEET, json: '/openapi.json' });
    res.type('html').send(page);
  });
  r.get(STYLESHEET, (_req, res) => {
    res.type('css').send(REFERENCE_CSS);
  });
  return r;
}
