import { expect } from 'chai';
import { configSecrets, describeConfig } from '../../src/config/describe-config.js';
import { loadServiceConfig } from '../../src/config/service-config.js';

type Env = Record<string, string>;

function describeEnv(env: Env): { providerType: string; settings: Record<string, unknown> } {
  return describeConfig(loadServiceConfig(env), env) as { providerType: string; settings: Record<string, unknown> };
}

const vertexEnv: Env = {
  PROVIDERNAME: 'ops/vai',
  PIPELINEROOTSTORAGE: 'gs://pipeline-root',
  OPERATORWEBHOOK: 'http://operator/events',
  PARAMETERS_VAIPROJECT: 'proj',
  PARAMETERS_VAILOCATION: 'europe-west2',
  PARAMETERS_PIPELINEBUCKET: 'bucket',
  PARAMETERS_EVENTSOURCEPIPELINEEVENTSSUBSCRIPTION: 'sub',
};

describe('description for the start-up log', () => {
  it('lists every setting of the provider kind by its variable, with its value or its default', () => {
    const described = describeEnv({ SERVER_PORT: '9090', PROVIDERNAME: 'ops/p' });
    expect(described.providerType).to.equal('local');
    expect(described.settings).to.include({
      PROVIDER_TYPE: 'local',
      PROVIDERNAME: 'ops/p',
      SERVER_PORT: 9090,
      SERVER_HOST: '0.0.0.0',
      METRICS_HOST: 'SERVER_HOST',
      PIPELINEROOTSTORAGE: 'file:///tmp/kfp-local (local only)',
      PARAMETERS_RUNDURATIONMS: 2000,
      HTTP_BODY_LIMIT_BYTES: 32 * 1024 * 1024,
      OPERATORWEBHOOK: null,
    });
    expect(described.settings).not.to.have.property('PARAMETERS_VAIPROJECT');
  });

  it("lists the chosen provider's parameters, shown because the table marks them as no secret", () => {
    const described = describeEnv(vertexEnv);
    expect(described.providerType).to.equal('vai');
    expect(described.settings).to.include({
      PARAMETERS_VAIPROJECT: 'proj',
      PARAMETERS_PIPELINEBUCKET: 'bucket',
      PARAMETERS_GCSENDPOINT: null,
    });
  });

  it('redacts every parameter the table does not know, whatever its type', () => {
    const described = describeEnv({ PARAMETERS_APITOKEN: 'topsecret-token', PARAMETERS_LIMITS: '{"password":"nested-secret"}' });
    expect(described.settings).to.include({ PARAMETERS_APITOKEN: '[redacted]', PARAMETERS_LIMITS: '[redacted]' });
    expect(JSON.stringify(described)).not.to.match(/topsecret-token|nested-secret/);
  });

  it('shows the webhook URL without userinfo and with every query value redacted', () => {
    const described = describeEnv({ OPERATORWEBHOOK: 'https://user:s3cret@operator.example/events?token=abc123&x=1#frag' });
    expect(described.settings['OPERATORWEBHOOK']).to.equal('https://operator.example/events?token=[redacted]&x=[redacted]');
    expect(JSON.stringify(described)).not.to.match(/s3cret|user|abc123|frag/);
  });

  it('leaves a plain webhook URL as it is', () => {
    expect(describeEnv({ OPERATORWEBHOOK: 'http://op:8080/events' }).settings['OPERATORWEBHOOK']).to.equal('http://op:8080/events');
  });
});

describe('secrets of a configuration, for the logger to scrub', () => {
  it('holds unknown parameter values, webhook userinfo and query values, longest first', () => {
    const env = {
      PARAMETERS_APITOKEN: 'topsecret-token',
      PARAMETERS_LIMITS: '{"password":"nested-secret"}',
      OPERATORWEBHOOK: 'https://hook-user:hook-p%40ss@operator.example/events?token=query-token-value',
    };
    const secrets = configSecrets(loadServiceConfig(env), env);
    expect(secrets).to.include.members(['topsecret-token', 'nested-secret', 'hook-user', 'hook-p%40ss', 'hook-p@ss', 'query-token-value']);
    expect([...secrets].sort((a, b) => b.length - a.length)).to.deep.equal([...secrets]);
  });

  it('leaves out the values the table shows and those too short to scrub without garbling the log', () => {
    const env = { ...vertexEnv, PARAMETERS_X: 'short' };
    expect(configSecrets(loadServiceConfig(env), env)).to.deep.equal([]);
  });
});
