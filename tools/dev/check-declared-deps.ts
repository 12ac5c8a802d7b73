/**
 * CI check (issue 13): every workspace declares exactly what its code imports.
 *
 * - An import in a workspace's code (not its tests) is declared in `dependencies`.
 * - An import only its tests make (`test/`, `*.test.ts`) is declared in `dependencies`
 *   or `devDependencies`; one only tests use does not sit in `dependencies`.
 * - Whatever it declares, it imports: a package, or for `@types/x` the package `x`.
 * - A package whose types come from DefinitelyTyped has its `@types/x` declared too.
 *
 * Imports are read with TypeScript's own scanner (static and dynamic `import`,
 * `export … from`, `require`). Node's built-ins, relative paths and a workspace's
 * own name are not packages. `@types/node` and `@types/jest` are the toolchain's,
 * declared once at the root like typescript and jest.
 *
 *   node --import tsx tools/dev/check-declared-deps.ts
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '../..');
const WORKSPACE_DIRS = ['libs', 'services', 'tools'];
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage']);
const TOOLCHAIN_TYPES = new Set(['@types/node', '@types/jest']);

/** Workspaces that exist for tests alone: all their imports may be devDependencies (the image leaves them out). */
const TEST_ONLY_WORKSPACES = new Set(['@calsync/testkit']);

/** Imports a workspace makes only when the package happens to be installed; declared as devDependencies. */
const OPTIONAL_AT_RUNTIME: Record<string, Record<string, string>> = {
  '@calsync/cli': { tsx: 'bin/calsync.js runs the sources through tsx in a checkout, the build without it' },
};

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export interface Finding {
  workspace: string;
  what: string;
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`; undefined for what is not a package. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** `@types/x` for `x`, `@types/scope__name` for `@scope/name`. */
export const typesPackageOf = (name: string) =>
  `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return SKIP_DIRS.has(e.name) ? [] : sourceFiles(join(dir, e.name));
    return SOURCE.test(e.name) ? [join(dir, e.name)] : [];
  });
}

const isTestFile = (relPath: string) => /(^|\/)test\//.test(relPath) || /\.test\.[cm]?[jt]sx?$/.test(relPath);

/** The packages a workspace's code imports, and those only its tests import. */
export function importsOf(dir: string, ownName: string): { runtime: Set<string>; testOnly: Set<string> } {
  const runtime = new Set<string>();
  const test = new Set<string>();
  for (const file of sourceFiles(dir)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const into = isTestFile(relative(dir, file)) ? test : runtime;
    for (const { fileName } of info.importedFiles) {
      const name = packageOf(fileName);
      if (name && name !== ownName) into.add(name);
    }
  }
  return { runtime, testOnly: new Set([...test].filter((n) => !runtime.has(n))) };
}

/** Whether `x` takes its types from an installed `@types/x` (DefinitelyTyped). */
const hasDefinitelyTyped = (name: string) => existsSync(join(ROOT, 'node_modules', typesPackageOf(name)));

export function checkWorkspace(
  pkg: PackageJson,
  imports: { runtime: Set<string>; testOnly: Set<string> },
  needsTypes: (name: string) => boolean = hasDefinitelyTyped,
): string[] {
  const deps = new Set(Object.keys(pkg.dependencies ?? {}));
  const dev = new Set(Object.keys(pkg.devDependencies ?? {}));
  const testOnlyWorkspace = TEST_ONLY_WORKSPACES.has(pkg.name);
  const optional = OPTIONAL_AT_RUNTIME[pkg.name] ?? {};
  const problems: string[] = [];

  for (const name of imports.runtime) {
    if (deps.has(name)) continue;
    if ((testOnlyWorkspace || name in optional) && dev.has(name)) continue;
    problems.push(
      dev.has(name)
        ? `${name}: imported by its code, declared only in devDependencies`
        : `${name}: imported, not declared`,
    );
  }
  for (const name of imports.testOnly) {
    if (!deps.has(name) && !dev.has(name)) problems.push(`${name}: imported by its tests, not declared`);
    else if (deps.has(name) && !testOnlyWorkspace)
      problems.push(`${name}: only its tests import it: declare it in devDependencies`);
  }
  const imported = new Set([...imports.runtime, ...imports.testOnly]);
  for (const name of imported)
    if (needsTypes(name) && !dev.has(typesPackageOf(name)) && !deps.has(typesPackageOf(name)))
      problems.push(`${typesPackageOf(name)}: ${name} is imported, its types are not declared`);
  for (const name of [...deps, ...dev]) {
    if (TOOLCHAIN_TYPES.has(name)) continue;
    const used = name.startsWith('@types/')
      ? [...imported].some((i) => typesPackageOf(i) === name)
      : imported.has(name);
    if (!used) problems.push(`${name}: declared, never imported`);
  }
  return problems.sort();
}

export function findDeclarationProblems(root = ROOT): Finding[] {
  const found: Finding[] = [];
  for (const top of WORKSPACE_DIRS)
    for (const entry of readdirSync(join(root, top), { withFileTypes: true })) {
      const dir = join(root, top, entry.name);
      if (!entry.isDirectory() || !existsSync(join(dir, 'package.json'))) continue;
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
      for (const what of checkWorkspace(pkg, importsOf(dir, pkg.name)))
        found.push({ workspace: relative(root, dir), what });
    }
  return found;
}

export function main(): boolean {
  const found = findDeclarationProblems();
  if (found.length === 0) {
    process.stdout.write('declared dependencies: every workspace declares exactly what it imports\n');
    return true;
  }
  process.stderr.write('Workspace package.json files that do not match their imports:\n');
  for (const f of found) process.stderr.write(`  ${f.workspace}: ${f.what}\n`);
  return false;
}

if (require.main === module && !main()) process.exit(1);
