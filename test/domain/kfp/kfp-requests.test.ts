import { expect } from 'chai';
import { parseCron } from '../../../src/domain/cron.js';
import { BackendError } from '../../../src/domain/errors.js';
import { kfpErrorMessage } from '../../../src/domain/kfp/kfp-error-message.js';
import { kfpExperimentLookup } from '../../../src/domain/kfp/kfp-experiment-lookup.js';
import { displayNameFilter } from '../../../src/domain/kfp/kfp-filter.js';
import {
  kfpExperimentRequest,
  kfpRecurringRunRequest,
  kfpRunDisplayName,
  kfpRunRequest,
} from '../../../src/domain/kfp/kfp-resource-requests.js';
import { RunDefinitionMother } from '../../support/definition-mother.js';

const input = {
  displayName: 'ns-r',
  target: { experimentId: 'e', pipelineId: 'p', pipelineVersionId: 'v' },
  parameters: { a: 1 },
  pipelineRoot: '',
};

describe('KFP request bodies', () => {
  it('a run names the version by reference only and omits an empty pipeline root', () => {
    expect(kfpRunRequest(input)).to.deep.equal({
      display_name: 'ns-r',
      experiment_id: 'e',
      pipeline_version_reference: { pipeline_id: 'p', pipeline_version_id: 'v' },
      runtime_config: { parameters: { a: 1 } },
    });
  });

  it('a recurring run has a 6-field cron, bounds only when given, max concurrency 1, no catch-up, enabled', () => {
    const body = kfpRecurringRunRequest(
      { ...input, pipelineRoot: 'gs://x/ns/p' },
      { cron: parseCron('*/5 * * * *'), endTime: new Date('2030-01-01T00:00:00Z') },
    );
    expect(body).to.deep.include({ max_concurrency: '1', mode: 'ENABLE', no_catchup: true });
    expect(body['trigger']).to.deep.equal({ cron_schedule: { cron: '0 */5 * * * *', end_time: '2030-01-01T00:00:00.000Z' } });
    expect(body['runtime_config']).to.deep.equal({ parameters: { a: 1 }, pipeline_root: 'gs://x/ns/p' });
  });

  it('an experiment carries the namespace only when given', () => {
    const definition = { name: { namespace: 'team', name: 'exp' }, version: '', description: 'd' };
    expect(kfpExperimentRequest(definition, undefined)).to.deep.equal({ display_name: 'team-exp', description: 'd' });
    expect(kfpExperimentRequest(definition, 'ops')).to.deep.equal({ display_name: 'team-exp', description: 'd', namespace: 'ops' });
  });

  it('the display-name filter is serialised JSON, safe for quotes', () => {
    expect(displayNameFilter('a"b')).to.equal('{"predicates":[{"operation":"EQUALS","key":"display_name","string_value":"a\\"b"}]}');
  });

  it('the display-name filter survives the gateway decode and the KFP server unescaping it again', () => {
    // What Go's url.QueryUnescape does to the filter on the KFP server after the gateway decoded it.
    const goQueryUnescape = (text: string): string => decodeURIComponent(text.replaceAll('+', ' '));
    const received = (name: string): unknown => {
      const afterGateway = new URLSearchParams(new URLSearchParams({ filter: displayNameFilter(name) }).toString()).get('filter')!;
      return JSON.parse(goQueryUnescape(afterGateway)).predicates[0].string_value;
    };
    for (const name of ['ns-p 1+', 'a%41b', '100%', 'x%2By+z', 'plain-name']) expect(received(name)).to.equal(name);
    expect(displayNameFilter('a+b%c')).to.contain('"string_value":"a%2Bb%25c"');
  });
});

describe('kfpExperimentLookup', () => {
  const single = { defaultExperiment: 'Default', multiUserMode: false, providerNamespace: 'kfp' };
  const multi = { ...single, multiUserMode: true };

  it('follows the reference examples', () => {
    expect(kfpExperimentLookup({ namespace: '', name: '' }, single)).to.deep.equal({ displayName: 'Default' });
    expect(kfpExperimentLookup({ namespace: 'team', name: 'exp' }, single)).to.deep.equal({ displayName: 'team-exp' });
    expect(kfpExperimentLookup({ namespace: '', name: '' }, multi)).to.deep.equal({ displayName: 'kfp-Default', namespace: 'kfp' });
    expect(kfpExperimentLookup({ namespace: 'team', name: 'exp' }, multi)).to.deep.equal({ displayName: 'kfp-exp', namespace: 'kfp' });
  });

  it('fails clearly when the run names no experiment and there is no default', () => {
    expect(() => kfpExperimentLookup({ namespace: '', name: '' }, { ...single, defaultExperiment: '' })).to.throw(
      BackendError,
      'PARAMETERS_DEFAULTEXPERIMENT',
    );
  });
});

describe('kfpErrorMessage', () => {
  it('reads the gateway status, the v1 gateway error, the upload error and plain text', () => {
    expect(kfpErrorMessage('{"code":5,"message":"run x not found","details":[]}')).to.equal('run x not found');
    expect(kfpErrorMessage('{"error":"old gateway","code":3}')).to.equal('old gateway');
    expect(kfpErrorMessage('{"error_message":"Failed to upload","error_details":"too large"}')).to.equal('Failed to upload: too large');
    expect(kfpErrorMessage('{"error_message":"same","error_details":"same"}')).to.equal('same');
    expect(kfpErrorMessage('namespace is required\n')).to.equal('namespace is required');
  });
});

describe('kfpRunDisplayName', () => {
  const cases = [
    { why: 'a named run', name: { namespace: 'team', name: 'train' }, rc: { namespace: 'team', name: 'rc' }, expected: 'team-train' },
    {
      why: 'a run without a name, for a run configuration',
      name: { namespace: '', name: '' },
      rc: { namespace: 'team', name: 'rc' },
      expected: 'team-rc',
    },
  ];
  for (const { why, name, rc, expected } of cases) {
    it(`is "${expected}" for ${why}`, () => {
      expect(kfpRunDisplayName(RunDefinitionMother.valid({ name, runConfigurationName: rc }))).to.equal(expected);
    });
  }
});
