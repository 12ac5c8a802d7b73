import { compareRoutes, documentedRoutes } from './express-routes';
import { createOpenApiConformance, type Exchange } from './openapi-conformance';

const error = {
  type: 'object',
  properties: { error: { type: 'object', required: ['code', 'message'] } },
  required: ['error'],
};
const doc = {
  openapi: '3.1.0',
  info: { title: 't', version: '1' },
  paths: {
    '/things/{id}': {
      get: {
        responses: {
          200: {
            description: 'ok',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
          },
          404: { description: 'no', content: { 'application/json': { schema: error } } },
        },
      },
    },
    '/things/special': { get: { responses: { 204: { description: 'nothing' } } } },
  },
  components: {
    schemas: {
      Thing: {
        type: 'object',
        properties: { id: { type: 'string', format: 'uuid' }, at: { type: 'string', format: 'date-time' } },
        required: ['id', 'at'],
        additionalProperties: false,
      },
    },
  },
};

const ID = '8d7b6e1a-4a55-4c1e-9a77-2f4a0f1b2c3d';
const json = (method: string, url: string, status: number, body: unknown): Exchange => ({
  method,
  url,
  status,
  contentType: 'application/json; charset=utf-8',
  body: Buffer.from(JSON.stringify(body)),
});

describe('OpenAPI conformance of an answer', () => {
  const c = createOpenApiConformance(doc);

  it('accepts a documented status whose body matches, query strings aside', () => {
    expect(
      c.check(json('GET', `/things/${ID}?x=1`, 200, { id: ID, at: '2030-01-01T09:00:00.000Z' })),
    ).toBeNull();
  });

  it('matches paths as Express routes them: a trailing slash, any case', () => {
    const thing = { id: ID, at: '2030-01-01T09:00:00Z' };
    expect(c.check(json('GET', `/things/${ID}/`, 200, thing))).toBeNull();
    expect(c.check(json('GET', `/Things/${ID}`, 200, thing))).toBeNull();
  });

  it('prefers the literal path over the template', () => {
    expect(
      c.check({
        method: 'GET',
        url: '/things/special',
        status: 204,
        contentType: undefined,
        body: Buffer.alloc(0),
      }),
    ).toBeNull();
  });

  it('reports a body that does not match, naming the field', () => {
    expect(c.check(json('GET', `/things/${ID}`, 200, { id: ID, at: 'yesterday' }))).toMatch(
      /\/at must match format/,
    );
    expect(
      c.check(json('GET', `/things/${ID}`, 200, { id: ID, at: '2030-01-01T09:00:00Z', extra: 1 })),
    ).toMatch(/must NOT have additional properties/);
  });

  it('reports a status the operation does not document', () => {
    expect(c.check(json('GET', `/things/${ID}`, 409, { error: { code: 'x', message: 'y' } }))).toMatch(
      /status 409 is not documented for GET \/things\/\{id\}/,
    );
  });

  it('reports a successful answer on a route the document does not know', () => {
    expect(c.check(json('POST', `/things/${ID}`, 200, {}))).toMatch(/no such operation/);
    expect(c.check(json('GET', '/elsewhere', 200, {}))).toMatch(/no such operation/);
  });

  it('lets an error answer on an unknown path pass: no route was reached', () => {
    expect(
      c.check(json('GET', '/elsewhere', 404, { error: { code: 'not_found', message: 'No such route' } })),
    ).toBeNull();
    expect(
      c.check(json('DELETE', `/things/${ID}`, 401, { error: { code: 'unauthorized', message: 'no' } })),
    ).toBeNull();
  });

  it('reports a content type the operation does not document', () => {
    expect(
      c.check({
        method: 'GET',
        url: `/things/${ID}`,
        status: 200,
        contentType: 'text/html',
        body: Buffer.from('<p>'),
      }),
    ).toMatch(/content type text\/html/);
  });

  it('collects violations and fails on them', () => {
    const fresh = createOpenApiConformance(doc);
    expect(() => fresh.failOnViolations()).not.toThrow();
  });
});

describe('routes against the document', () => {
  it('names routes the document lacks and operations no route serves; a route parameter serves literal paths', () => {
    const routes = [
      { method: 'get', path: '/things/{id}' },
      { method: 'post', path: '/things' },
    ];
    expect(compareRoutes(routes, documentedRoutes(doc))).toEqual({
      undocumented: ['POST /things'],
      unrouted: [],
    });
    expect(compareRoutes([{ method: 'get', path: '/things/special' }], documentedRoutes(doc))).toEqual({
      undocumented: [],
      unrouted: ['GET /things/{id}'],
    });
  });
});
