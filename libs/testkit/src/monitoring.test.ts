/**
 * The monitoring in deploy/ is internally consistent: every alert has a promtool case in
 * which it fires, every job and service it names is scraped, and no counter function is
 * applied to a gauge. (Label values against the code: services/<name>/src/metrics.test.ts.)
 */
import {
  alertRules,
  alertTests,
  labelValuesUsed,
  monitoringExprs,
  monitoringSelectors,
  scrapeJobs,
  selectorsOf,
} from './monitoring';

test('selectors are read with their matchers, regex alternatives split', () => {
  expect(selectorsOf('sum(rate(a_total{outcome=~"x|y", job!="z"}[5m])) / b', 'f')).toEqual([
    {
      file: 'f',
      metric: 'a_total',
      matchers: [
        { label: 'outcome', op: '=~', value: 'x|y' },
        { label: 'job', op: '!=', value: 'z' },
      ],
    },
  ]);
});

test('every alert has a promtool test case in which it fires', () => {
  const alerts = alertRules().groups.flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : [])));
  const firing = new Set(
    alertTests().tests.flatMap((t) =>
      (t.alert_rule_test ?? []).filter((a) => (a.exp_alerts ?? []).length > 0).map((a) => a.alertname),
    ),
  );
  expect(alerts.length).toBeGreaterThan(0);
  expect(alerts.filter((a) => !firing.has(a))).toEqual([]);
});

test('the jobs and services the rules and dashboards name are scrape jobs of prometheus.yml', () => {
  const jobs = scrapeJobs();
  const selectors = monitoringSelectors();
  const metrics = [...new Set(selectors.map((s) => s.metric))].filter(Boolean);
  const used = [
    ...labelValuesUsed('up', 'job', selectors),
    ...metrics.flatMap((m) => labelValuesUsed(m, 'service', selectors)),
  ];
  expect(used.length).toBeGreaterThan(0);
  expect(used.filter((u) => !jobs.includes(u.value))).toEqual([]);
});

test('rate(), irate() and increase() are applied to counters and histograms only, never to a gauge', () => {
  const counterLike = /_(total|count|sum|bucket)$/;
  const misuse = monitoringExprs().flatMap(({ file, expr }) =>
    [...expr.matchAll(/\b(rate|irate|increase)\s*\(\s*([A-Za-z_:][\w:]*)/g)]
      .filter((m) => !counterLike.test(m[2]!))
      .map((m) => `${file}: ${m[1]}(${m[2]})`),
  );
  expect(misuse).toEqual([]);
});
