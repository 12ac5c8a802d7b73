/**
 * `node --import tsx bench/profile-summary.ts DIR [TOP]`: the top self-time
 * frames of every .cpuprofile in DIR (written by `npm run bench -- --profile
 * DIR …`), and the same time summed by where the code lives (a package, one of
 * ours, node's internals). Self time is what a frame spent in its own code,
 * not in what it called; shares are of the time the process was not idle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const ROOT = `${resolve(__dirname, '..')}/`;

function place(url: string): { file: string; owner: string } {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = path.slice(nm + '/node_modules/'.length);
    const parts = rest.split('/');
    const pkg = rest.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
    return { file: `${pkg}/…/${parts[parts.length - 1]}`, owner: pkg };
  }
  if (path.startsWith(ROOT)) {
    const rel = path.slice(ROOT.length);
    return { file: rel, owner: rel.split('/').slice(0, 2).join('/') };
  }
  if (path.startsWith('node:')) return { file: path, owner: 'node internals' };
  return { file: path || '(native)', owner: path ? path : '(native, GC, idle)' };
}

function summarize(file: string, top: number): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const owners = new Map<string, number>();
  let total = 0;
  // The delta after a sample is the time that sample stands for.
  p.samples.forEach((id, i) => {
    const us = p.timeDeltas[i + 1] ?? 0;
    const n = byId.get(id)!;
    const { file: where, owner } = place(n.callFrame.url);
    const name = n.callFrame.functionName || '(anonymous)';
    // tsx compiles a .ts module into a line or two: its line numbers say nothing.
    const line = where.endsWith('.ts') ? '' : `:${n.callFrame.lineNumber + 1}`;
    const key = n.callFrame.url ? `${name}  ${where}${line}` : name;
    self.set(key, (self.get(key) ?? 0) + us);
    const o = n.callFrame.url ? owner : name;
    owners.set(o, (owners.get(o) ?? 0) + us);
    total += us;
  });
  const busy = total - (self.get('(idle)') ?? 0);
  self.delete('(idle)');
  owners.delete('(idle)');
  const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)} %`;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return [
    `${file.split('/').pop()}: ${(total / 1e6).toFixed(1)} s sampled, ${((busy / total) * 100).toFixed(0)} % not idle (${(busy / 1e6).toFixed(1)} s)`,
    '  top self time, share of the busy time:',
    ...sorted(self)
      .slice(0, top)
      .map(([k, us]) => `  ${pct(us)}  ${k}`),
    `  by owner: ${sorted(owners)
      .slice(0, 10)
      .map(([k, us]) => `${k} ${((us / busy) * 100).toFixed(1)} %`)
      .join(', ')}`,
  ].join('\n');
}

const [dir, topArg] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: node --import tsx bench/profile-summary.ts DIR [TOP]\n');
  process.exit(2);
}
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .sort();
for (const f of files) process.stdout.write(`${summarize(join(dir, f), Number(topArg ?? 12))}\n\n`);
