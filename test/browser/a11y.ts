/**
 * axe-core in the page (injected from node_modules; the page's CSP would refuse
 * it, so the context that runs this has bypassCSP). Serious and critical
 * violations fail; the rest are printed.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

export async function axeViolations(page: Page, where: string): Promise<string[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate<Violation[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)`,
  );
  const line = (v: Violation) =>
    `${where}: [${v.impact}] ${v.id} — ${v.help} (${v.nodes
      .slice(0, 3)
      .map((n) => n.target.join(' '))
      .join(', ')})`;
  for (const v of violations.filter((x) => x.impact !== 'serious' && x.impact !== 'critical'))
    console.log(`  a11y note ${line(v)}`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map(line);
}
