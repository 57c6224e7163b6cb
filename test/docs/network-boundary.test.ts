import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'yaml';

const document = readFileSync(new URL('../../docs/network-boundary.md', import.meta.url), 'utf8');
const yamlBlocks = [...document.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);

interface Peer {
  readonly namespaceSelector?: { readonly matchLabels?: Record<string, string> };
  readonly podSelector?: {
    readonly matchLabels?: Record<string, string>;
    readonly matchExpressions?: ReadonlyArray<{ key: string; operator: string }>;
  };
}

interface IngressRule {
  readonly from: readonly Peer[];
  readonly ports: ReadonlyArray<{ protocol: string; port: number }>;
}

interface NetworkPolicy {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: {
    readonly podSelector: { readonly matchLabels: Record<string, string> };
    readonly policyTypes: readonly string[];
    readonly ingress: readonly IngressRule[];
  };
}

const policies = yamlBlocks.map((block) => parse(block) as NetworkPolicy);

function ruleFor(policy: NetworkPolicy, port: number): IngressRule | undefined {
  return policy.spec.ingress.find((rule) => rule.ports.some((each) => each.port === port));
}

describe('docs/network-boundary.md', () => {
  it('holds NetworkPolicies that parse, each selecting the provider pods it guards', () => {
    expect(policies).to.have.length.of.at.least(2);
    for (const policy of policies) {
      expect(policy).to.include({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' });
      expect(policy.metadata.namespace).to.be.a('string').and.not.equal('');
      expect(policy.spec.podSelector.matchLabels['app']).to.match(/^provider-/);
      expect(policy.spec.policyTypes).to.deep.equal(['Ingress']);
      for (const rule of policy.spec.ingress) {
        // Namespace and pods in one entry: both must match. Two entries would admit either.
        expect(rule.from).to.have.length(1);
        expect(rule.from[0]).to.have.keys('namespaceSelector', 'podSelector');
        for (const port of rule.ports) expect(port.protocol).to.equal('TCP');
      }
    }
  });

  it("admits only the operator's workflow pods to the API port and only Prometheus to the metrics port", () => {
    const [policy] = policies;
    expect(policy!.spec.ingress).to.have.length(2);
    const api = ruleFor(policy!, 8080)!;
    expect(api.ports).to.deep.equal([{ protocol: 'TCP', port: 8080 }]);
    expect(api.from[0]!.namespaceSelector!.matchLabels).to.deep.equal({ 'kubernetes.io/metadata.name': policy!.metadata.namespace });
    expect(api.from[0]!.podSelector!.matchExpressions).to.deep.equal([{ key: 'workflows.argoproj.io/workflow', operator: 'Exists' }]);
    const metrics = ruleFor(policy!, 8081)!;
    expect(metrics.ports).to.deep.equal([{ protocol: 'TCP', port: 8081 }]);
    expect(metrics.from[0]!.podSelector!.matchLabels).to.deep.equal({ 'app.kubernetes.io/name': 'prometheus' });
  });
});
