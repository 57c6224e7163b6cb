import { expect } from 'chai';
import { knownParameters, readProviderParameters } from '../../src/config/provider-parameters.js';

describe('provider parameters', () => {
  it('maps every known PARAMETERS_<KEY> back to its camelCase key', () => {
    for (const [key, { type }] of Object.entries(knownParameters)) {
      const raw = type === 'string' ? 'some-value' : type === 'number' ? '7' : 'true';
      const parameters = readProviderParameters({ [`PARAMETERS_${key.toUpperCase()}`]: raw });
      expect(Object.keys(parameters), key).to.deep.equal([key]);
    }
  });

  it('decodes strings raw, numbers and booleans as JSON', () => {
    expect(
      readProviderParameters({
        PARAMETERS_VAIPROJECT: 'my-project',
        PARAMETERS_MAXCONCURRENTRUNCOUNT: '25',
        PARAMETERS_KFPMULTIUSERMODE: 'false',
        PARAMETERS_RUNDURATIONMS: '1e3',
      }),
    ).to.deep.equal({ vaiProject: 'my-project', maxConcurrentRunCount: 25, kfpMultiUserMode: false, runDurationMs: 1000 });
  });

  it('keeps a string parameter that looks like JSON as the raw text', () => {
    expect(readProviderParameters({ PARAMETERS_VAIPROJECT: '123' })).to.deep.equal({ vaiProject: '123' });
    expect(readProviderParameters({ PARAMETERS_DEFAULTEXPERIMENT: '"quoted"' })).to.deep.equal({ defaultExperiment: '"quoted"' });
  });

  it('matches the variable name case-insensitively', () => {
    expect(readProviderParameters({ parameters_vaiLocation: 'europe-west2', Parameters_PipelineBucket: 'b' })).to.deep.equal({
      vaiLocation: 'europe-west2',
      pipelineBucket: 'b',
    });
  });

  it('decodes unknown keys as JSON under the lower-cased key, keeping plain text raw', () => {
    expect(
      readProviderParameters({
        PARAMETERS_LABELS: '{"team":"ml","tier":1}',
        PARAMETERS_LIMITS: '[1,2]',
        PARAMETERS_RETRIES: '3',
        PARAMETERS_ENABLED: 'true',
        PARAMETERS_NOTHING: 'null',
        PARAMETERS_TEXT: 'hello world',
        PARAMETERS_QUOTED: '"x"',
      }),
    ).to.deep.equal({
      labels: { team: 'ml', tier: 1 },
      limits: [1, 2],
      retries: 3,
      enabled: true,
      nothing: null,
      text: 'hello world',
      quoted: '"x"',
    });
  });

  it('ignores variables without the prefix and unset values', () => {
    expect(readProviderParameters({ VAIPROJECT: 'x', PARAMETER_VAIPROJECT: 'y', PARAMETERS_VAILOCATION: undefined })).to.deep.equal({});
  });

  const invalid = [
    { variable: 'PARAMETERS_MAXCONCURRENTRUNCOUNT', raw: 'ten', type: 'number' },
    { variable: 'PARAMETERS_MAXCONCURRENTRUNCOUNT', raw: '"10"', type: 'number' },
    { variable: 'PARAMETERS_KFPMULTIUSERMODE', raw: 'yes', type: 'boolean' },
    { variable: 'PARAMETERS_KFPMULTIUSERMODE', raw: '1', type: 'boolean' },
  ];
  for (const { variable, raw, type } of invalid) {
    it(`rejects ${variable}=${raw} naming the variable`, () => {
      expect(() => readProviderParameters({ [variable]: raw })).to.throw(`${variable}="${raw}" is not a valid ${type}`);
    });
  }
});
