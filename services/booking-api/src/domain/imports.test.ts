/** The domain declares its ports (ports.ts) and knows nothing of the code that implements them. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const DOMAIN = __dirname;
const SRC = dirname(DOMAIN);
const ADAPTERS = ['db', 'messaging', 'http', 'calcom'];

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourcesUnder(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

test('no file in domain/ imports from db/, messaging/, http/ or calcom/, not even a type', () => {
  const reaching = sourcesUnder(DOMAIN).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/from '(\.[^']*)'/g)]
      .map(([, spec]) => ({ spec: spec!, top: relative(SRC, resolve(dirname(file), spec!)).split(sep)[0] }))
      .filter(({ top }) => ADAPTERS.includes(top!))
      .map(({ spec }) => `${relative(SRC, file)}: ${spec}`),
  );
  expect(reaching).toEqual([]);
});
