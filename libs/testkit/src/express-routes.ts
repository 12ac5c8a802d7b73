/**
 * Every route an Express 5 app has (through mounted routers, with their mount
 * paths), and a comparison with an OpenAPI document's operations, both ways.
 */
interface ListedRoute {
  path: string | RegExp;
  methods?: string[] | undefined;
  router?: Listable | undefined;
}
interface Listable {
  listRoutes(): ListedRoute[];
}

export interface RouteKey {
  method: string;
  /** In OpenAPI form: `/v1/tenants/{tenantId}`. */
  path: string;
}

const join = (prefix: string, path: string) =>
  path === '/' ? prefix : `${prefix.replace(/\/$/, '')}${path}`;
const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** `app.router.listRoutes()` (router ≥ 2.3), recursively; HEAD (automatic for GET) left out. */
export function listExpressRoutes(app: { router: unknown }): RouteKey[] {
  const out: RouteKey[] = [];
  const walk = (router: Listable, prefix: string) => {
    for (const r of router.listRoutes()) {
      if (typeof r.path !== 'string') throw new Error(`A RegExp route cannot be compared: ${String(r.path)}`);
      const path = join(prefix, r.path);
      if (r.router) walk(r.router, path);
      for (const m of r.methods ?? [])
        if (m.toUpperCase() !== 'HEAD') out.push({ method: m.toLowerCase(), path: openApiPath(path || '/') });
    }
  };
  walk(app.router as Listable, '');
  return out;
}

const isParam = (segment: string) => /^\{[^}]+\}$/.test(segment);

/** A route template serves a documented path when every literal segment agrees (its parameters match anything). */
function serves(route: string, documented: string): boolean {
  const r = route.split('/');
  const d = documented.split('/');
  return r.length === d.length && r.every((s, i) => isParam(s) || s === d[i]);
}

export function compareRoutes(
  routes: RouteKey[],
  documented: RouteKey[],
): { undocumented: string[]; unrouted: string[] } {
  const show = (k: RouteKey) => `${k.method.toUpperCase()} ${k.path}`;
  return {
    undocumented: routes
      .filter((r) => !documented.some((d) => d.method === r.method && serves(r.path, d.path)))
      .map(show),
    unrouted: documented
      .filter((d) => !routes.some((r) => r.method === d.method && serves(r.path, d.path)))
      .map(show),
  };
}

/** The operations of an OpenAPI document. */
export function documentedRoutes(doc: unknown): RouteKey[] {
  const paths = (doc as { paths?: Record<string, Record<string, unknown>> }).paths ?? {};
  const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((m) => METHODS.includes(m))
      .map((method) => ({ method, path })),
  );
}
