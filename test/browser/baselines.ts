/**
 * Screenshots against the committed baselines in test/browser/baselines/, with a
 * tolerance (anti-aliasing and sub-pixel text differ slightly between runs and
 * machines). `--update-baselines` (or UPDATE_BASELINES=1) writes them instead.
 * A mismatch leaves the actual image and the diff next to each other for a look.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';

export const BASELINES = resolve(__dirname, 'baselines');
export const updating = process.argv.includes('--update-baselines') || process.env.UPDATE_BASELINES === '1';

/** Share of pixels that may differ (after pixelmatch's per-pixel colour threshold). */
const MAX_DIFF_RATIO = 0.005;

export function compareWithBaseline(name: string, png: Buffer): { ok: true } | { ok: false; why: string } {
  const file = join(BASELINES, `${name}.png`);
  if (updating) {
    mkdirSync(BASELINES, { recursive: true });
    writeFileSync(file, png);
    return { ok: true };
  }
  if (!existsSync(file))
    return { ok: false, why: `no baseline ${file}: run npm run test:browser -- --update-baselines` };
  const expected = PNG.sync.read(readFileSync(file));
  const actual = PNG.sync.read(png);
  const out = join(tmpdir(), 'calsync-browser');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `${name}.actual.png`), png);
  if (expected.width !== actual.width || expected.height !== actual.height)
    return {
      ok: false,
      why: `${name}: size ${actual.width}×${actual.height}, baseline ${expected.width}×${expected.height} (actual in ${out})`,
    };
  const diff = new PNG({ width: actual.width, height: actual.height });
  const differing = pixelmatch(expected.data, actual.data, diff.data, actual.width, actual.height, {
    threshold: 0.1,
  });
  const ratio = differing / (actual.width * actual.height);
  if (ratio <= MAX_DIFF_RATIO) return { ok: true };
  writeFileSync(join(out, `${name}.diff.png`), PNG.sync.write(diff));
  return {
    ok: false,
    why: `${name}: ${(ratio * 100).toFixed(2)}% of pixels differ (max ${MAX_DIFF_RATIO * 100}%); actual and diff in ${out}`,
  };
}

/** The README's picture of the console is the desktop baseline. */
export function publishScreenshot(name: string, target: string): void {
  if (!updating) return;
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(join(BASELINES, `${name}.png`), target);
}
