import { expect } from 'chai';
import {
  type KfpServiceConfig,
  loadServiceConfig,
  type LocalServiceConfig,
  narrowServiceConfig,
  type ServiceConfig,
  type ServiceConfigFor,
} from '../../src/config/service-config.js';

// The type-level half of these tests is checked by `npm run typecheck`: each @ts-expect-error
// fails the compile when the line below it stops being an error.

function sliceOf(config: ServiceConfig): string {
  switch (config.providerType) {
    case 'local':
      return `local ${config.local.runDurationMs}`;
    case 'vai':
      return `vai ${config.vai.project}`;
    case 'kfp':
      return `kfp ${config.kfp.restApiUrl}`;
  }
}

describe('ServiceConfig as a union on providerType', () => {
  const local = loadServiceConfig({});
  const kfp = loadServiceConfig({
    PROVIDERNAME: 'ops/kfp',
    PIPELINEROOTSTORAGE: 'gs://root',
    OPERATORWEBHOOK: 'http://operator/events',
    PARAMETERS_RESTKFPAPIURL: 'http://ml-pipeline:8888',
    PARAMETERS_GRPCMETADATASTOREADDRESS: 'mlmd:8080',
  });

  it('narrows to the slice of the provider kind', () => {
    expect(sliceOf(local)).to.equal('local 2000');
    expect(sliceOf(kfp)).to.equal('kfp http://ml-pipeline:8888');
    if (kfp.providerType === 'kfp') {
      // @ts-expect-error a Kubeflow configuration has no Vertex AI slice
      expect(kfp.vai).to.equal(undefined);
    }
    // @ts-expect-error before narrowing, no provider slice is known to be there
    expect(local.local).to.deep.equal({ runDurationMs: 2000, artifactRoot: 'file:///tmp/kfp-local' });
  });

  it('narrows on request, refusing a configuration of another kind', () => {
    const narrowed: KfpServiceConfig = narrowServiceConfig(kfp, 'kfp');
    expect(narrowed.kfp.metadataStoreAddress).to.equal('mlmd:8080');
    expect(() => narrowServiceConfig(local, 'kfp')).to.throw(TypeError, 'the configuration is for "local", not "kfp"');
  });

  it('names each kind by ServiceConfigFor', () => {
    const same: ServiceConfigFor<'local'> = narrowServiceConfig(local, 'local') satisfies LocalServiceConfig;
    expect(same.providerType).to.equal('local');
    // @ts-expect-error a local configuration is not a Kubeflow one
    const wrong: ServiceConfigFor<'kfp'> = narrowServiceConfig(local, 'local');
    expect(wrong.providerType).to.equal('local');
  });
});
