import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'yaml';
import { createProviderService, type ProviderService } from '../../src/composition/create-provider-service.js';

const monitoring = new URL('../../docs/monitoring/', import.meta.url);

interface Panel {
  readonly title: string;
  readonly targets: ReadonlyArray<{ readonly expr: string }>;
}

interface Rule {
  readonly alert: string;
  readonly expr: string;
  readonly labels: { readonly severity: string };
  readonly annotations: { readonly summary: string; readonly description: string };
}

const dashboard = JSON.parse(readFileSync(new URL('grafana-dashboard.json', monitoring), 'utf8')) as { panels: Panel[]; title: string };
const alerts = parse(readFileSync(new URL('prometheus-alerts.yaml', monitoring), 'utf8')) as { groups: Array<{ rules: Rule[] }> };
const rules = alerts.groups.flatMap((group) => group.rules);

// The HTTP metric's label names look like metric names; they are not.
const labelNames = new Set(['http_route', 'http_request_method', 'http_response_status_code']);

// The metric names an expression reads: ours, Node's process metrics, and histogram series.
function metricsOf(expression: string): string[] {
  const names = (expression.match(/\b(?:http|provider|process|nodejs)_[a-z0-9_]+\b/g) ?? []).filter((name) => !labelNames.has(name));
  return [...new Set(names.map((name) => name.replace(/_(bucket|count|sum)$/, '')))];
}

describe('the monitoring dashboard and alerts', function () {
  this.timeout(20_000);
  let service: ProviderService;
  let exported: Set<string>;

  before(async () => {
    service = createProviderService({ provider: 'local', defaultMetrics: true });
    await service.start();
    const text = await (await fetch(`http://127.0.0.1:${service.metricsPort}/metrics`)).text();
    exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]!));
  });

  after(async () => {
    await service.stop();
  });

  it('has panels and rules that each carry an expression', () => {
    expect(dashboard.panels.length).to.be.greaterThan(5);
    for (const panel of dashboard.panels) expect(panel.targets.length, panel.title).to.be.greaterThan(0);
    expect(rules.length).to.be.greaterThan(3);
    for (const rule of rules) {
      expect(rule.alert).to.match(/^KfpProvider[A-Za-z]+$/);
      expect(['warning', 'critical']).to.include(rule.labels.severity);
      expect(rule.annotations.summary, rule.alert).to.be.a('string').and.not.equal('');
    }
  });

  it('names only metrics that a running service exports', () => {
    const expressions = [
      ...dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)),
      ...rules.map((rule) => rule.expr),
    ];
    const named = new Set(expressions.flatMap(metricsOf));
    expect(named.size).to.be.greaterThan(8);
    for (const name of named) expect(exported, `${name} is not exported`).to.include(name);
  });

  it('covers every metric of our own the service exports', () => {
    const expressions = [
      ...dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)),
      ...rules.map((rule) => rule.expr),
    ];
    const named = new Set(expressions.flatMap(metricsOf));
    for (const name of exported) if (/^(http|provider)_/.test(name)) expect(named, `${name} has no panel or alert`).to.include(name);
  });
});
