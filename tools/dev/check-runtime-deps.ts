/**
 * CI check (issue 10): what a production install keeps (`npm ls --omit=dev`, the same
 * tree `npm prune --omit=dev` leaves in the image) holds no test tooling, and no
 * workspace declares a type package (`@types/*`) as a runtime dependency: those belong
 * in devDependencies. Type packages that a runtime package itself depends on
 * (sequelize -> @types/validator) are not ours to move and pass.
 * Then (issue 13) check-declared-deps.ts: every workspace declares exactly what it imports.
 *
 *   node --import tsx tools/dev/check-runtime-deps.ts
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { main as checkDeclaredDeps } from './check-declared-deps';

const ROOT = resolve(__dirname, '../..');

/** Packages only tests, linters and builds use. */
const TEST_TOOLING = [
  /^(jest|ts-jest|babel-jest)$/,
  /^jest-/,
  /^@jest\//,
  /^(testcontainers|dockerode|docker-compose)$/,
  /^@testcontainers\//,
  /^(playwright|playwright-core)$/,
  /^@playwright\//,
  /^(fast-check|axe-core|pixelmatch|pngjs)$/,
  /^(typescript|tsx|ts-node|eslint|typescript-eslint|prettier)$/,
  /^@(eslint|typescript-eslint)\//,
  /^@types\/jest$/,
];

interface LsNode {
  version?: string;
  resolved?: string;
  dependencies?: Record<string, LsNode>;
}

interface Finding {
  chain: string[];
  why: string;
}

/** Workspaces (and the root) are linked from the repository, not installed from a registry. */
const isOwnPackage = (node: LsNode, depth: number) =>
  depth === 0 || node.resolved?.startsWith('file:') === true;

function findViolations(root: LsNode, rootName = 'root'): Finding[] {
  const found: Finding[] = [];
  const walk = (node: LsNode, chain: string[], depth: number) => {
    const own = isOwnPackage(node, depth);
    for (const [name, child] of Object.entries(node.dependencies ?? {})) {
      const at = [...chain, name];
      if (TEST_TOOLING.some((re) => re.test(name))) found.push({ chain: at, why: 'test tooling' });
      else if (own && name.startsWith('@types/'))
        found.push({ chain: at, why: 'a type package: declare it in devDependencies' });
      walk(child, at, depth + 1);
    }
  };
  walk(root, [rootName], 0);
  return found;
}

function checkRuntimeTree(): boolean {
  const ls = spawnSync('npm', ['ls', '--omit=dev', '--all', '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  let tree: LsNode;
  try {
    tree = JSON.parse(ls.stdout) as LsNode;
  } catch {
    process.stderr.write(`npm ls --omit=dev gave no JSON (exit ${ls.status}):\n${ls.stderr}\n`);
    process.exit(2);
  }
  const found = findViolations(tree);
  if (found.length === 0) {
    process.stdout.write('runtime dependencies: no test tooling, no @types/* declared at runtime\n');
    return true;
  }
  process.stderr.write('Runtime dependencies (npm ls --omit=dev) that belong in devDependencies:\n');
  for (const f of found) process.stderr.write(`  ${f.chain.join(' > ')}  (${f.why})\n`);
  return false;
}

// Both run, so one failure does not hide the other's findings.
const treeOk = checkRuntimeTree();
const declaredOk = checkDeclaredDeps();
if (!treeOk || !declaredOk) process.exit(1);
