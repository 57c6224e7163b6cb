import { expect } from 'chai';
import { describeConfig } from '../../src/config/describe-config.js';
import { loadServiceConfig } from '../../src/config/service-config.js';

describe('description for the start-up log', () => {
  it('masks credentials in the webhook URL', () => {
    const config = loadServiceConfig({ OPERATORWEBHOOK: 'https://user:s3cret@operator.example/events?x=1' });
    const described = describeConfig(config);
    expect(described['operatorWebhook']).to.equal('https://redacted@operator.example/events?x=1');
    expect(JSON.stringify(described)).not.to.include('s3cret');
    expect(JSON.stringify(described)).not.to.include('user');
    expect(config.operatorWebhook?.password).to.equal('s3cret');
  });

  it('renders the provider name as text and leaves a plain webhook alone', () => {
    const described = describeConfig(loadServiceConfig({ PROVIDERNAME: 'ops/p', OPERATORWEBHOOK: 'http://op:8080/events' }));
    expect(described['providerName']).to.equal('ops/p');
    expect(described['operatorWebhook']).to.equal('http://op:8080/events');
  });

  it('shows the pipeline root in effect: the local default when PIPELINEROOTSTORAGE is unset', () => {
    expect(describeConfig(loadServiceConfig({}))['pipelineRootStorage']).to.equal('file:///tmp/kfp-local');
    expect(describeConfig(loadServiceConfig({ PIPELINEROOTSTORAGE: 'gs://root' }))['pipelineRootStorage']).to.equal('gs://root');
  });
});
