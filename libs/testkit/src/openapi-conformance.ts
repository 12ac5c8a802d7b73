/**
 * Holds a service to its OpenAPI document during the integration tests: attached
 * to the HTTP server under test, it sees every answer and checks that the route
 * and status are documented and that a JSON body validates (ajv, JSON Schema
 * 2020-12, the dialect of OpenAPI 3.1). Violations are collected; the suite
 * fails on them in its afterAll (`failOnViolations`).
 *
 * An answer on a path or method the document does not know is a violation,
 * unless it is a 4xx error body: that request never reached a route (404 for an
 * unknown path, or refused by authentication or a rate limit on the way).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};

export interface Exchange {
  method: string;
  /** Path and query as sent. */
  url: string;
  status: number;
  contentType: string | undefined;
  body: Buffer;
}

export interface OpenApiConformanceOptions {
  /** Paths that are no API (static assets): not checked. */
  ignore?: (path: string) => boolean;
}

interface Template {
  path: string;
  regex: RegExp;
  literals: number;
}

const DOC_ID = 'urn:calsync:openapi';
const pointer = (...segments: string[]) =>
  '#/' + segments.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

function templatesOf(doc: Json): Template[] {
  return Object.keys(obj(doc.paths))
    .map((path) => {
      const segments = path.split('/');
      const regex = segments
        .map((s) => (/^\{[^}]+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('/');
      // As Express routes by default: case-insensitive, a trailing slash allowed.
      return {
        path,
        regex: new RegExp(`^${regex}/?$`, 'i'),
        literals: segments.filter((s) => !s.startsWith('{')).length,
      };
    })
    .sort((a, b) => b.literals - a.literals);
}

const mediaType = (contentType: string | undefined) => contentType?.split(';')[0]?.trim().toLowerCase() ?? '';

export function createOpenApiConformance(document: unknown, opts: OpenApiConformanceOptions = {}) {
  const doc = obj(document);
  const templates = templatesOf(doc);
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc, DOC_ID);
  const validators = new Map<string, ValidateFunction>();
  const found: string[] = [];

  const validator = (ref: string) => {
    let v = validators.get(ref);
    if (!v) {
      v = ajv.getSchema(DOC_ID + ref);
      if (!v) throw new Error(`No schema at ${ref}`);
      validators.set(ref, v);
    }
    return v;
  };

  const isErrorBody = (x: Exchange) => {
    if (mediaType(x.contentType) !== 'application/json') return false;
    try {
      const parsed = obj(JSON.parse(x.body.toString('utf8')));
      const error = obj(parsed.error);
      return typeof error.code === 'string' && typeof error.message === 'string';
    } catch {
      return false;
    }
  };

  /** Resolves `{$ref: '#/components/responses/X'}`. */
  const resolved = (v: unknown): Json => {
    const ref = obj(v).$ref;
    if (typeof ref !== 'string') return obj(v);
    return obj(obj(obj(doc.components).responses)[ref.split('/').at(-1) ?? '']);
  };

  /** The violation this exchange is, or null when it conforms. */
  function check(x: Exchange): string | null {
    const method = x.method.toLowerCase();
    const path = x.url.split('?')[0] ?? '';
    if (opts.ignore?.(path)) return null;
    const what = `${x.method.toUpperCase()} ${path} → ${x.status}`;
    const template = templates.find((t) => t.regex.test(path) && obj(obj(doc.paths)[t.path])[method]);
    if (!template) {
      if (x.status >= 400 && x.status < 500 && isErrorBody(x)) return null;
      return `${what}: no such operation in the document`;
    }
    const opName = `${method.toUpperCase()} ${template.path}`;
    const response = obj(obj(obj(obj(doc.paths)[template.path])[method]).responses)[String(x.status)];
    if (!response) return `${what}: status ${x.status} is not documented for ${opName}`;
    const content = obj(resolved(response).content);
    const type = mediaType(x.contentType);
    // A redirect's little body (Express writes one) is for people, not part of the API.
    if (!Object.keys(content).length)
      return x.body.length && (x.status < 300 || x.status >= 400)
        ? `${what}: ${opName} documents no body for ${x.status}`
        : null;
    if (!(type in content)) return `${what}: content type ${type || 'none'} is not documented for ${opName}`;
    if (type !== 'application/json') return null;
    let body: unknown;
    try {
      body = JSON.parse(x.body.toString('utf8'));
    } catch {
      return `${what}: the body is not JSON`;
    }
    const validate = validator(
      pointer('paths', template.path, method, 'responses', String(x.status), 'content', type, 'schema'),
    );
    if (validate(body)) return null;
    const errors = (validate.errors ?? [])
      .slice(0, 5)
      .map(
        (e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
      );
    return `${what}: the body does not match ${opName} ${x.status}: ${errors.join('; ')}`;
  }

  function observe(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const chunks: Buffer[] = [];
    const keep = (chunk: unknown, encoding?: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      if (typeof chunk === 'string')
        chunks.push(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
      else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((...args: unknown[]) => {
      keep(args[0], args[1]);
      return write(...args);
    }) as typeof res.write;
    res.end = ((...args: unknown[]) => {
      keep(args[0], args[1]);
      return end(...args);
    }) as typeof res.end;
    res.on('finish', () => {
      if (method === 'HEAD') return;
      const contentType = res.getHeader('content-type');
      const violation = check({
        method,
        url,
        status: res.statusCode,
        contentType: typeof contentType === 'string' ? contentType : undefined,
        body: Buffer.concat(chunks),
      });
      if (violation) found.push(violation);
    });
  }

  return {
    check,
    /** Checks every answer `server` gives from now on (it runs before the app sees the request). */
    attach(server: Server): void {
      server.prependListener('request', observe);
    },
    violations: (): readonly string[] => found,
    /** Throws when an answer did not conform; for the suite's afterAll. */
    failOnViolations(): void {
      if (!found.length) return;
      const unique = [...new Set(found)];
      throw new Error(
        `${unique.length} answer(s) disagree with the OpenAPI document:\n${unique.slice(0, 30).join('\n')}`,
      );
    },
  };
}
export type OpenApiConformance = ReturnType<typeof createOpenApiConformance>;
