import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import { loadServiceConfig } from '../../src/config/service-config.js';

type Json = Record<string, unknown>;

const guide = readFileSync(new URL('../../docs/deploying.md', import.meta.url), 'utf8');

/** The fenced ```yaml blocks of the guide, each split into its documents. */
function yamlDocuments(): Array<{ block: number; document: Json }> {
  const blocks = [...guide.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
  return blocks.flatMap((text, block) =>
    parseAllDocuments(text).map((document) => {
      if (document.errors.length > 0) throw new Error(`yaml block ${block + 1}: ${document.errors.map(String).join('; ')}`);
      return { block: block + 1, document: document.toJS() as Json };
    }),
  );
}

const at = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (node as Json | undefined)?.[key], value);

/** The fields each kind must have beyond apiVersion, kind and metadata.name; a kind not listed fails. */
const requiredByKind: Record<string, readonly string[]> = {
  Provider: ['spec.serviceImage', 'spec.serviceAccount', 'spec.pipelineRootStorage'],
  NetworkPolicy: ['spec.podSelector', 'spec.ingress'],
  Role: ['rules'],
  ClusterRole: ['rules'],
  RoleBinding: ['roleRef.kind', 'roleRef.name', 'subjects'],
  ClusterRoleBinding: ['roleRef.kind', 'roleRef.name', 'subjects'],
  ServiceAccount: [],
  Service: ['spec.selector', 'spec.ports'],
};

/** The environment the operator gives a Provider's pod (its deployment manager's rules). */
function operatorEnvironment(provider: Json): Record<string, string> {
  const metadata = provider['metadata'] as Json;
  const spec = provider['spec'] as Json;
  const env: Record<string, string> = {
    PROVIDERNAME: `${String(metadata['namespace'])}/${String(metadata['name'])}`,
    PIPELINEROOTSTORAGE: String(spec['pipelineRootStorage']),
    OPERATORWEBHOOK: 'http://kfp-operator-runcompletion-webhook-service.kfp-operator-system:80/events',
    SERVER_PORT: '8080',
    METRICS_PORT: '8081',
  };
  for (const [key, value] of Object.entries((spec['parameters'] as Json | undefined) ?? {})) {
    env[`PARAMETERS_${key.toUpperCase()}`] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  for (const { name, value } of (spec['podTemplateEnv'] as Array<{ name: string; value: string }> | undefined) ?? []) env[name] = value;
  return env;
}

describe('docs/deploying.md', () => {
  const documents = yamlDocuments();
  const providers = documents.filter(({ document }) => document['kind'] === 'Provider').map(({ document }) => document);

  it('has YAML blocks that parse, each object with apiVersion, kind, metadata.name and the fields its kind requires', () => {
    expect(documents.length).to.be.greaterThan(5);
    for (const { block, document } of documents) {
      const where = `yaml block ${block}, ${String(document['kind'])} ${String(at(document, 'metadata.name'))}`;
      for (const field of ['apiVersion', 'kind', 'metadata.name']) expect(at(document, field), `${where}: ${field}`).to.be.a('string');
      const required = requiredByKind[String(document['kind'])];
      expect(required, `${where}: a kind this test does not know; add its required fields`).to.not.equal(undefined);
      for (const field of required!) expect(at(document, field), `${where}: ${field}`).to.not.equal(undefined);
    }
  });

  it('shows a Provider for vai, kfp in watch and relay mode, and local, each naming the image by placeholder', () => {
    expect(providers.map((provider) => at(provider, 'metadata.name'))).to.have.members(['vai', 'kfp-watch', 'kfp-relay', 'local']);
    for (const provider of providers) expect(at(provider, 'spec.serviceImage')).to.equal('REGISTRY/kfp-provider-service:TAG');
  });

  it('gives Providers whose parameters make a configuration the service accepts, of the kind each is for', () => {
    const kinds = Object.fromEntries(
      providers.map((provider) => {
        const config = loadServiceConfig(operatorEnvironment(provider));
        return [
          String(at(provider, 'metadata.name')),
          config.providerType === 'kfp' ? `kfp/${config.kfp.workflowEvents}` : config.providerType,
        ];
      }),
    );
    expect(kinds).to.deep.equal({ vai: 'vai', 'kfp-watch': 'kfp/watch', 'kfp-relay': 'kfp/relay', local: 'local' });
  });

  it('mentions no real registry host in image names', () => {
    const images = [...guide.matchAll(/(?:image|serviceImage):\s*(\S+)/g)].map((match) => match[1]!);
    expect(images.length).to.be.greaterThan(0);
    for (const image of images) expect(image, image).to.match(/^REGISTRY\//);
    expect(guide).to.include('docker build -t REGISTRY/kfp-provider-service:TAG .');
  });
});
