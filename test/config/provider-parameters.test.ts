import { expect } from 'chai';
import { decodeProviderParameters, knownParameters, readProviderParameters } from '../../src/config/provider-parameters.js';

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

  it('knows the parameters of every provider with their types', () => {
    expect(knownParameters['vaiProject']?.type).to.equal('string');
    expect(knownParameters['maxConcurrentRunCount']?.type).to.equal('number');
    expect(knownParameters['kfpMultiUserMode']?.type).to.equal('boolean');
    expect(knownParameters['runDurationMs']?.type).to.equal('number');
    expect(knownParameters['grpcKfpApiAddress']?.type).to.equal('string');
  });

  const invalid = [
    { variable: 'PARAMETERS_MAXCONCURRENTRUNCOUNT', raw: 'ten', form: 'a whole number of at least 1' },
    { variable: 'PARAMETERS_MAXCONCURRENTRUNCOUNT', raw: '"10"', form: 'a whole number of at least 1' },
    { variable: 'PARAMETERS_KFPMULTIUSERMODE', raw: 'yes', form: 'true or false' },
    { variable: 'PARAMETERS_KFPMULTIUSERMODE', raw: '1', form: 'true or false' },
  ];
  for (const { variable, raw, form } of invalid) {
    it(`rejects ${variable}=${raw} naming the variable and the expected form`, () => {
      expect(() => readProviderParameters({ [variable]: raw })).to.throw(`${variable}="${raw}" must be ${form}`);
    });
  }

  it('collects every parameter that cannot be decoded and keeps the others', () => {
    const { parameters, problems } = decodeProviderParameters({
      PARAMETERS_MAXCONCURRENTRUNCOUNT: 'ten',
      PARAMETERS_KFPMULTIUSERMODE: 'yes',
      PARAMETERS_VAIPROJECT: 'proj',
    });
    expect(parameters).to.deep.equal({ vaiProject: 'proj' });
    expect(problems.map((problem) => problem.variable)).to.deep.equal(['PARAMETERS_MAXCONCURRENTRUNCOUNT', 'PARAMETERS_KFPMULTIUSERMODE']);
    expect(() => readProviderParameters({ PARAMETERS_MAXCONCURRENTRUNCOUNT: 'ten', PARAMETERS_KFPMULTIUSERMODE: 'yes' }))
      .to.throw(Error)
      .with.property('message')
      .that.has.length.above(0)
      .and.satisfies((message: string) => message.split('\n').length === 2);
  });
});
