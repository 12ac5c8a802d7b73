/**
 * Reads what the monitoring in deploy/ says about metrics: the alert and recording rules,
 * their promtool tests, the Grafana dashboards and the Prometheus scrape jobs. Tests use it
 * to keep the label values there in step with the values the code emits.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '../../..');
const PROMETHEUS = 'deploy/prometheus';
const DASHBOARDS = 'deploy/grafana/dashboards';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Selector {
  /** Where it was found, relative to the repository root. */
  file: string;
  metric: string;
  matchers: { label: string; op: MatchOp; value: string }[];
}

interface RuleFile {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[];
}
interface RuleTestFile {
  tests: {
    input_series?: { series: string }[];
    promql_expr_test?: { expr: string; exp_samples?: { labels: string }[] }[];
    alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[];
  }[];
}
interface Panel {
  panels?: Panel[];
  targets?: { expr?: string }[];
}
interface Dashboard {
  panels?: Panel[];
  templating?: { list?: { query?: string | { query?: string } }[] };
}

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

const SELECTOR = /([A-Za-z_:][\w:]*)?\{([^{}]*)\}/g;
const MATCHER = /([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g;

/** The `metric{label="value", ...}` selectors of a PromQL expression or series notation. */
export function selectorsOf(expr: string, file: string): Selector[] {
  return [...expr.matchAll(SELECTOR)].map((m) => ({
    file,
    metric: m[1] ?? '',
    matchers: [...(m[2] ?? '').matchAll(MATCHER)].map((x) => ({
      label: x[1]!,
      op: x[2] as MatchOp,
      value: x[3]!,
    })),
  }));
}

export const alertRules = (): RuleFile => parse(read(`${PROMETHEUS}/alerts.yml`)) as RuleFile;
export const alertTests = (): RuleTestFile => parse(read(`${PROMETHEUS}/alerts.test.yml`)) as RuleTestFile;

function dashboardExprs(): { file: string; expr: string }[] {
  const out: { file: string; expr: string }[] = [];
  for (const name of readdirSync(join(ROOT, DASHBOARDS)).filter((f) => f.endsWith('.json'))) {
    const file = `${DASHBOARDS}/${name}`;
    const dash = JSON.parse(read(file)) as Dashboard;
    const walk = (panels: Panel[]) => {
      for (const p of panels) {
        walk(p.panels ?? []);
        for (const t of p.targets ?? []) if (t.expr) out.push({ file, expr: t.expr });
      }
    };
    walk(dash.panels ?? []);
    for (const v of dash.templating?.list ?? []) {
      const q = typeof v.query === 'string' ? v.query : v.query?.query;
      if (q) out.push({ file, expr: q });
    }
  }
  return out;
}

/** Every PromQL expression and series of the rules, their tests and the dashboards. */
export function monitoringExprs(): { file: string; expr: string }[] {
  const rulesFile = `${PROMETHEUS}/alerts.yml`;
  const testsFile = `${PROMETHEUS}/alerts.test.yml`;
  const rules = alertRules().groups.flatMap((g) => g.rules.map((r) => ({ file: rulesFile, expr: r.expr })));
  const tests = alertTests().tests.flatMap((t) => [
    ...(t.input_series ?? []).map((s) => s.series),
    ...(t.promql_expr_test ?? []).flatMap((p) => [p.expr, ...(p.exp_samples ?? []).map((s) => s.labels)]),
  ]);
  return [...rules, ...tests.map((expr) => ({ file: testsFile, expr })), ...dashboardExprs()];
}

export function monitoringSelectors(): Selector[] {
  return monitoringExprs().flatMap(({ file, expr }) => selectorsOf(expr, file));
}

export interface LabelUse {
  file: string;
  value: string;
  op: MatchOp;
}

/**
 * The values `label` is matched against on `metric`, anywhere in the monitoring. A regex
 * matcher counts as its `|` alternatives, so `a|b` is two values and `.*` stays `.*` (a
 * test comparing against a list then fails: name the values). Grafana variables (`$x`)
 * are skipped: the variable's own query takes its values from the metrics.
 */
export function labelValuesUsed(
  metric: string,
  label: string,
  selectors: Selector[] = monitoringSelectors(),
): LabelUse[] {
  return selectors
    .filter((s) => s.metric === metric)
    .flatMap((s) =>
      s.matchers
        .filter((m) => m.label === label && !m.value.includes('$'))
        .flatMap((m) =>
          (m.op.endsWith('~') ? m.value.split('|') : [m.value]).map((value) => ({
            file: s.file,
            value,
            op: m.op,
          })),
        ),
    );
}

/** The expression of a recording rule of alerts.yml. */
export function recordingRule(name: string): string {
  const rule = alertRules()
    .groups.flatMap((g) => g.rules)
    .find((r) => r.record === name);
  if (!rule) throw new Error(`no recording rule ${name} in ${PROMETHEUS}/alerts.yml`);
  return rule.expr;
}

/** Job names of deploy/prometheus/prometheus.yml. */
export function scrapeJobs(): string[] {
  const config = parse(read(`${PROMETHEUS}/prometheus.yml`)) as { scrape_configs: { job_name: string }[] };
  return config.scrape_configs.map((c) => c.job_name);
}
