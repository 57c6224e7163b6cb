import { expect } from 'chai';
import { InvalidInputError } from '../../../src/domain/errors.js';
import type { KfpParameterType } from '../../../src/domain/kfp/kfp-pipeline-spec.js';
import { kfpPipelineRoot, kfpRunParameters, typedKfpParameters } from '../../../src/domain/kfp/kfp-run-parameters.js';

describe('KFP run parameters', () => {
  it('overlays the labels over the definition parameters (a label wins)', () => {
    expect(kfpRunParameters({ a: '1', 'pipeline-name': 'user' }, { 'pipeline-name': 'p' })).to.deep.equal({ a: '1', 'pipeline-name': 'p' });
  });

  it('converts values to the declared JSON types; undeclared ones stay strings', () => {
    const declared = new Map<string, KfpParameterType>([
      ['i', 'NUMBER_INTEGER'],
      ['d', 'NUMBER_DOUBLE'],
      ['b', 'BOOLEAN'],
      ['l', 'LIST'],
      ['s', 'STRUCT'],
      ['t', 'STRING'],
    ]);
    const typed = typedKfpParameters({ i: '-42', d: '1e-3', b: 'TRUE', l: '[1,"a"]', s: '{"k":{"n":1}}', t: '5', u: 'x' }, declared);
    expect(typed).to.deep.equal({ i: -42, d: 0.001, b: true, l: [1, 'a'], s: { k: { n: 1 } }, t: '5', u: 'x' });
  });

  it('rejects a value that does not fit its declared type, naming the parameter', () => {
    const cases: Array<[KfpParameterType, string]> = [
      ['NUMBER_INTEGER', '1.5'],
      ['NUMBER_DOUBLE', ''],
      ['NUMBER_DOUBLE', 'abc'],
      ['BOOLEAN', 'yes'],
      ['LIST', '{}'],
      ['STRUCT', '[]'],
      ['STRUCT', '{oops'],
    ];
    for (const [type, value] of cases) {
      expect(() => typedKfpParameters({ p: value }, new Map([['p', type]])), `${type} ${value}`).to.throw(InvalidInputError, '"p"');
    }
  });

  it('builds the pipeline root from the pipeline name, empty without root storage', () => {
    expect(kfpPipelineRoot('gs://b', { namespace: 'ns', name: 'p' })).to.equal('gs://b/ns/p');
    expect(kfpPipelineRoot('gs://b', { namespace: '', name: 'p' })).to.equal('gs://b/p');
    expect(kfpPipelineRoot('', { namespace: 'ns', name: 'p' })).to.equal('');
  });
});
