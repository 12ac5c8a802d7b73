// Type-aware rules for promises: an un-awaited promise in a service is a lost error.
// Package boundaries: packages meet at their entry points, tests included (STYLE.md).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ROOT = import.meta.dirname;
const repoPath = (abs) => relative(ROOT, abs).split(sep).join('/');

/** Every package folder (services/*, libs/*, tools/*) with the name its package.json gives it. */
const PACKAGES = ['services', 'libs', 'tools'].flatMap((group) =>
  readdirSync(join(ROOT, group), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => {
      const dir = `${group}/${d.name}`;
      const manifest = join(ROOT, dir, 'package.json');
      const name = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).name : null;
      return { dir, group, name };
    }),
);
const SERVICES = new Set(PACKAGES.filter((p) => p.group === 'services').map((p) => p.name));
const packageOf = (path) => PACKAGES.find((p) => path === p.dir || path.startsWith(`${p.dir}/`));

/** The visitors that hand every import/export's module source to `check` (both rules below). */
const moduleSources = (check) => ({
  ImportDeclaration: (n) => check(n.source),
  ExportNamedDeclaration: (n) => check(n.source),
  ExportAllDeclaration: (n) => check(n.source),
  ImportExpression: (n) => check(n.source),
});

/**
 * A package imports its own files by relative path and other packages only by name
 * (`@calsync/<lib>`, which resolves to that package's src/index.ts); services are
 * never imported at all, they run as processes. The import is resolved against the
 * importing file, so any depth of `../` that leaves the package is caught, and a
 * lib named like a folder (`db`) is never confused with one.
 */
const packageBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Packages meet at their entry points; services never import each other' },
    schema: [],
    messages: {
      intoService:
        "'{{spec}}' reaches into the service {{target}}: services are processes, never libraries. Test a flow across services in test/e2e (spawnService from @calsync/testkit).",
      intoPackage:
        "'{{spec}}' reaches into {{target}}: import another package by its name, '{{name}}' (its src/index.ts), never its files.",
      intoFolder: "'{{spec}}' reaches into {{target}}, which is no library: nothing there is for import.",
      outOfPackage:
        "'{{spec}}' climbs out of {{own}}: a package imports only its own files and other packages by name.",
      deep: "'{{spec}}' reaches past the entry point of {{name}}: import '{{name}}' itself.",
      service:
        "'{{spec}}' imports a service: services are processes, never libraries. Test a flow across services in test/e2e (spawnService from @calsync/testkit).",
    },
  },
  create(context) {
    const own = packageOf(repoPath(context.filename));
    const check = (source) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string') return;
      const spec = source.value;
      if (spec.startsWith('.')) {
        const into = packageOf(repoPath(resolve(dirname(context.filename), spec)));
        if (into === own) return;
        if (into) {
          const messageId =
            into.group === 'services' ? 'intoService' : into.name ? 'intoPackage' : 'intoFolder';
          context.report({ node: source, messageId, data: { spec, target: into.dir, name: into.name } });
        } else if (own) {
          context.report({ node: source, messageId: 'outOfPackage', data: { spec, own: own.dir } });
        }
        return;
      }
      const m = /^(@calsync\/[^/]+)(\/.*)?$/.exec(spec);
      if (!m) return;
      if (SERVICES.has(m[1])) context.report({ node: source, messageId: 'service', data: { spec } });
      else if (m[2]) context.report({ node: source, messageId: 'deep', data: { spec, name: m[1] } });
    };
    return {
      ...moduleSources(check),
      TSImportEqualsDeclaration: (n) => check(n.moduleReference.expression),
      'CallExpression[callee.name="require"]': (n) => check(n.arguments[0]),
      'CallExpression[callee.object.name="jest"][callee.property.name=/^(mock|doMock|requireActual)$/]': (
        n,
      ) => check(n.arguments[0]),
    };
  },
};

/** The folders of a service's src/ that implement the domain's ports (STYLE.md: the domain declares them). */
const ADAPTER_FOLDERS = new Set(['db', 'messaging', 'http', 'calcom']);

/**
 * A service's domain/ declares the ports it needs (domain/ports.ts) and imports none of the code
 * that implements them, not even a type: db/, messaging/, http/ and calcom/ depend on the domain,
 * never the other way round, and the composition root (app.ts) wires them together.
 */
const domainPorts = {
  meta: {
    type: 'problem',
    docs: { description: "A service's domain imports none of its adapters (db, messaging, http, calcom)" },
    schema: [],
    messages: {
      adapter:
        "'{{spec}}' reaches from domain/ into {{folder}}/: declare the port the domain needs in domain/ (ports.ts), implement it in {{folder}}/, and wire it in app.ts.",
    },
  },
  create(context) {
    const file = repoPath(context.filename);
    const m = /^(services\/[^/]+\/src)\/domain\//.exec(file);
    if (!m) return {};
    const src = m[1];
    const check = (source) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string' || !source.value.startsWith('.'))
        return;
      const target = repoPath(resolve(dirname(context.filename), source.value));
      if (!target.startsWith(`${src}/`)) return;
      const folder = target.slice(src.length + 1).split('/')[0];
      if (ADAPTER_FOLDERS.has(folder))
        context.report({ node: source, messageId: 'adapter', data: { spec: source.value, folder } });
    };
    return moduleSources(check);
  },
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // The console (browser code, lib dom) is its own project.
        project: ['./tsconfig.json', './services/booking-api/console/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: {
      calsync: { rules: { 'package-boundaries': packageBoundaries, 'domain-ports': domainPorts } },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'calsync/package-boundaries': 'error',
      'calsync/domain-ports': 'error',
    },
  },
  {
    files: ['**/test/**/*.ts', '**/*.test.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      // Tests read JSON answers loosely on purpose; assertions check the shapes.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
