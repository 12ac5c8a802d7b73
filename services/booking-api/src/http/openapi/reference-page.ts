/**
 * `GET /docs`: the OpenAPI document as one readable HTML page, rendered here on
 * the server from the same JSON `/openapi.json` serves. No script at all (the
 * page works under `script-src 'none'`); `<details>` folds, anchors link.
 */
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Json => (isObject(v) ? v : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The little Markdown the document uses: paragraphs, `- ` lists, `code`, **bold**. */
export function markdown(text: string): string {
  const inline = (s: string) =>
    escapeHtml(s)
      .replace(/`([^`]+)`/g, '<code>$1</code>')
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
  return text
    .split(/\n{2,}/)
    .map((block) => {
      const lines = block.split('\n');
      if (lines.every((l) => l.startsWith('- ')))
        return `<ul>${lines.map((l) => `<li>${inline(l.slice(2))}</li>`).join('')}</ul>`;
      return `<p>${inline(block)}</p>`;
    })
    .join('');
}

const anchor = (kind: string, name: string) => `${kind}-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
const refName = (ref: string) => ref.split('/').at(-1) ?? ref;

const CONSTRAINTS: [string, string][] = [
  ['minLength', 'min length'],
  ['maxLength', 'max length'],
  ['minimum', '≥'],
  ['exclusiveMinimum', '>'],
  ['maximum', '≤'],
  ['minItems', 'min items'],
  ['maxItems', 'max items'],
  ['pattern', 'pattern'],
  ['format', 'format'],
  ['default', 'default'],
];

function typeOf(s: Json): string {
  if (typeof s.$ref === 'string') {
    const name = refName(s.$ref);
    return `<a href="#${anchor('schema', name)}">${escapeHtml(name)}</a>`;
  }
  if (Array.isArray(s.enum))
    return s.enum.map((v) => `<code>${escapeHtml(JSON.stringify(v))}</code>`).join(' | ');
  if ('const' in s) return `<code>${escapeHtml(JSON.stringify(s.const))}</code>`;
  const t = Array.isArray(s.type) ? s.type.join(' | ') : str(s.type);
  if (t === 'array') return `array of ${typeOf(obj(s.items))}`;
  return escapeHtml(t || 'any');
}

/** A schema as nested lists: type, constraints, description, then its properties or alternatives. */
export function renderSchema(schema: unknown, depth = 0): string {
  const s = obj(schema);
  const notes = CONSTRAINTS.filter(([k]) => k in s).map(
    ([k, label]) => `<span class="c">${label} <code>${escapeHtml(JSON.stringify(s[k]))}</code></span>`,
  );
  const parts = [`<span class="t">${typeOf(s)}</span>`, ...notes];
  if (typeof s.description === 'string') parts.push(`<span class="d">${markdown(s.description)}</span>`);
  const inner = depth > 8 ? '' : children(s, depth);
  return `<div class="schema">${parts.join(' ')}${inner}</div>`;
}

function children(s: Json, depth: number): string {
  const alternatives = (Array.isArray(s.anyOf) && s.anyOf) || (Array.isArray(s.oneOf) && s.oneOf);
  if (alternatives)
    return `<p class="k">one of</p><ol class="alt">${alternatives.map((a) => `<li>${renderSchema(a, depth + 1)}</li>`).join('')}</ol>`;
  if (str(s.type) === 'array' && isObject(s.items) && isObject(s.items.properties))
    return children(s.items, depth);
  const props = obj(s.properties);
  const names = Object.keys(props);
  if (!names.length) return '';
  const required = new Set(Array.isArray(s.required) ? s.required : []);
  const rows = names.map(
    (n) =>
      `<li><code class="p">${escapeHtml(n)}</code>${required.has(n) ? ' <span class="req">required</span>' : ''} ${renderSchema(props[n], depth + 1)}</li>`,
  );
  const closed = s.additionalProperties === false ? '<p class="k">no other properties</p>' : '';
  return `<ul class="props">${rows.join('')}</ul>${closed}`;
}

function renderContent(content: unknown): string {
  return Object.entries(obj(content))
    .map(([type, media]) => `<p class="k">${escapeHtml(type)}</p>${renderSchema(obj(media).schema)}`)
    .join('');
}

function renderOperation(method: string, path: string, op: Json): string {
  const id = anchor('op', str(op.operationId) || `${method}-${path}`);
  const security = Array.isArray(op.security)
    ? op.security.map((req) =>
        Object.keys(obj(req))
          .map((k) => `<code>${escapeHtml(k)}</code>`)
          .join(' + '),
      )
    : [];
  const params = Array.isArray(op.parameters) ? op.parameters.map(obj) : [];
  const paramRows = params.map(
    (p) =>
      `<tr><td><code>${escapeHtml(str(p.name))}</code></td><td>${escapeHtml(str(p.in))}</td><td>${p.required ? 'yes' : 'no'}</td><td>${renderSchema(p.schema)}</td></tr>`,
  );
  const body = obj(op.requestBody);
  const responses = Object.entries(obj(op.responses)).map(([status, r]) => {
    const res = obj(r);
    const headers = Object.keys(obj(res.headers));
    return `<details class="res s${status[0]}"><summary><b>${escapeHtml(status)}</b> ${markdown(str(res.description))}</summary>${
      headers.length
        ? `<p class="k">headers: ${headers.map((h) => `<code>${escapeHtml(h)}</code>`).join(', ')}</p>`
        : ''
    }${renderContent(res.content)}</details>`;
  });
  const servers = Array.isArray(op.servers)
    ? op.servers.map((s) => str(obj(s).description)).filter(Boolean)
    : [];
  return `<article id="${id}" class="op">
<h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>
<p class="summary">${escapeHtml(str(op.summary))}</p>
${markdown(str(op.description))}
${servers.length ? `<p class="k">served by ${escapeHtml(servers.join(', '))}</p>` : ''}
<p class="k">authentication: ${security.length ? security.join(' or ') : 'none'}</p>
${paramRows.length ? `<table><thead><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr></thead><tbody>${paramRows.join('')}</tbody></table>` : ''}
${body.content ? `<h4>Request body${body.required ? '' : ' (optional)'}</h4>${renderContent(body.content)}` : ''}
<h4>Responses</h4>${responses.join('')}
</article>`;
}

export function renderReferencePage(doc: unknown, opts: { stylesheet: string; json: string }): string {
  const d = obj(doc);
  const info = obj(d.info);
  const byTag = new Map<string, string[]>();
  const nav = new Map<string, string[]>();
  for (const [path, item] of Object.entries(obj(d.paths)))
    for (const [method, op] of Object.entries(obj(item))) {
      const o = obj(op);
      const tag = str(Array.isArray(o.tags) ? o.tags[0] : '') || 'Other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), renderOperation(method, path, o)]);
      nav.set(tag, [
        ...(nav.get(tag) ?? []),
        `<li><a href="#${anchor('op', str(o.operationId))}"><span class="m ${method}">${method.toUpperCase()}</span> ${escapeHtml(path)}</a></li>`,
      ]);
    }
  const schemes = Object.entries(obj(obj(d.components).securitySchemes)).map(
    ([name, s]) => `<dt><code>${escapeHtml(name)}</code></dt><dd>${markdown(str(obj(s).description))}</dd>`,
  );
  const schemas = Object.entries(obj(obj(d.components).schemas)).map(
    ([name, s]) =>
      `<details id="${anchor('schema', name)}" class="component"><summary>${escapeHtml(name)}</summary>${renderSchema(s)}</details>`,
  );
  const title = escapeHtml(str(info.title));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="${escapeHtml(opts.stylesheet)}">
</head>
<body>
<nav aria-label="Operations"><p class="brand">${title}</p><p><a href="${escapeHtml(opts.json)}">openapi.json</a> · <a href="#schemas">Schemas</a></p>
${[...nav].map(([tag, items]) => `<h2>${escapeHtml(tag)}</h2><ul>${items.join('')}</ul>`).join('\n')}
</nav>
<main>
<header><h1>${title}</h1><p class="k">OpenAPI ${escapeHtml(str(d.openapi))} · version ${escapeHtml(str(info.version))}</p>${markdown(str(info.description))}
<h2>Authentication</h2><dl>${schemes.join('')}</dl></header>
${[...byTag].map(([tag, ops]) => `<section><h2>${escapeHtml(tag)}</h2>${ops.join('\n')}</section>`).join('\n')}
<section id="schemas"><h2>Schemas</h2>${schemas.join('\n')}</section>
</main>
</body>
</html>
`;
}
