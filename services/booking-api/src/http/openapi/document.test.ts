import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { buildOpenApiDocument } from './document';
import { markdown, renderReferencePage } from './reference-page';

type Json = Record<string, any>;
const doc = buildOpenApiDocument() as Json;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const operations = Object.entries(doc.paths as Json).flatMap(([path, item]) =>
  Object.entries(item as Json)
    .filter(([m]) => METHODS.includes(m))
    .map(([method, op]) => ({ path, method, op: op as Json, name: `${method.toUpperCase()} ${path}` })),
);

function refsIn(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => refsIn(x, out));
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.push(x);
      else refsIn(x, out);
    }
  return out;
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with a title and a version', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBeTruthy();
  });

  it('names every operation once, with a summary, a tag and a success answer', () => {
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { op, name } of operations) {
      expect([name, typeof op.summary, op.tags?.length]).toEqual([name, 'string', 1]);
      expect([name, Object.keys(op.responses).some((s) => /^[23]/.test(s))]).toEqual([name, true]);
    }
  });

  it('declares each path parameter of a template, and no other', () => {
    for (const { path, op, name } of operations) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? []).filter((p: Json) => p.in === 'path');
      expect([name, declared.map((p: Json) => p.name).sort()]).toEqual([name, inPath]);
      for (const p of declared) expect([name, p.required]).toEqual([name, true]);
    }
  });

  it('asks only for security schemes it defines; every API route asks for one', () => {
    const schemes = Object.keys(doc.components.securitySchemes);
    expect(schemes.sort()).toEqual(['adminToken', 'calcomSignature', 'operatorToken', 'retellSignature']);
    for (const { path, op, name } of operations) {
      for (const req of op.security ?? []) for (const s of Object.keys(req)) expect(schemes).toContain(s);
      if (path.startsWith('/v1/')) expect([name, (op.security ?? []).length > 0]).toEqual([name, true]);
    }
  });

  it('resolves every $ref', () => {
    for (const ref of refsIn(doc)) {
      const [, section, name] = /^#\/components\/(\w+)\/(.+)$/.exec(ref) ?? [];
      expect([ref, Boolean(section && name && doc.components[section]?.[name])]).toEqual([ref, true]);
    }
  });

  it('has schemas that are valid JSON Schema 2020-12 (strict ajv)', () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    const rebase = (schema: unknown) =>
      JSON.parse(
        JSON.stringify(schema).replaceAll('"#/components/schemas/', '"urn:calsync:components#/$defs/'),
      );
    ajv.addSchema({ $id: 'urn:calsync:components', $defs: rebase(doc.components.schemas) });
    const schemas = [
      ...Object.values(doc.components.schemas as Json),
      ...operations.flatMap(({ op }) => [
        ...(op.parameters ?? []).map((p: Json) => p.schema),
        ...Object.values((op.requestBody?.content ?? {}) as Json).map((m) => m.schema),
        ...Object.values(op.responses as Json).flatMap((r) =>
          Object.values((r.content ?? {}) as Json).map((m) => m.schema),
        ),
      ]),
    ];
    for (const s of schemas) {
      expect(() => ajv.compile(rebase(s))).not.toThrow();
    }
  });

  it('lists the error codes a status can carry, from the one status table', () => {
    expect(doc.components.schemas.Error409.properties.error.properties.code.enum).toEqual(
      expect.arrayContaining(['slot_taken', 'already_cancelled', 'idempotency_in_progress', 'not_in_review']),
    );
    expect(doc.components.schemas.Error400.properties.error.properties.code.enum).toEqual([
      'invalid_request',
      'invalid_json',
    ]);
  });
});

describe('the reference page', () => {
  const page = renderReferencePage(doc, { stylesheet: '/docs/reference.css', json: '/openapi.json' });

  it('shows every operation and every schema, and links its stylesheet and the JSON', () => {
    for (const { op, path } of operations) {
      expect(page).toContain(`id="op-${op.operationId}"`);
      expect(page).toContain(path);
    }
    for (const name of Object.keys(doc.components.schemas)) expect(page).toContain(`id="schema-${name}"`);
    expect(page).toContain('<link rel="stylesheet" href="/docs/reference.css">');
    expect(page).toContain('href="/openapi.json"');
  });

  it('has no script, no inline style or handler, and nothing from another host', () => {
    expect(page).not.toMatch(/<script|\son[a-z]+=|style=|https?:\/\//i);
  });

  it('escapes what the document says', () => {
    expect(markdown('a <b>`c<d>`</b> **e**\n\n- f\n- g')).toBe(
      '<p>a &#60;b&#62;<code>c&#60;d&#62;</code>&#60;/b&#62; <strong>e</strong></p><ul><li>f</li><li>g</li></ul>',
    );
  });
});
