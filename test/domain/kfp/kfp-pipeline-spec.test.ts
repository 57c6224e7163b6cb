import { expect } from 'chai';
import type { PipelineResource } from '../../../src/domain/definitions.js';
import { InvalidInputError } from '../../../src/domain/errors.js';
import { declaredKfpParameterTypes, prepareKfpPipelineSpec } from '../../../src/domain/kfp/kfp-pipeline-spec.js';
import { allRunLabelKeys } from '../../../src/domain/run-labels.js';

function resource(compiledPipeline: unknown, framework = 'kfpsdk'): PipelineResource {
  return {
    definition: { name: { namespace: 'ns', name: 'p' }, version: 'v', image: '', env: [], framework: { name: framework, parameters: {} } },
    compiledPipeline,
  };
}

const declaration = { isOptional: true, parameterType: 'STRING', defaultValue: '' };

describe('prepareKfpPipelineSpec', () => {
  it('declares all twelve label keys as optional strings, creating the path and keeping other parameters', () => {
    const compiled = {
      pipelineInfo: { name: 'p' },
      root: {
        dag: { tasks: {} },
        inputDefinitions: { parameters: { lr: { parameterType: 'NUMBER_DOUBLE' }, 'run-name': { parameterType: 'NUMBER_INTEGER' } } },
      },
    };
    const spec = prepareKfpPipelineSpec(resource(compiled)) as any;
    expect(allRunLabelKeys).to.have.length(12);
    for (const key of allRunLabelKeys) expect(spec.root.inputDefinitions.parameters[key]).to.deep.equal(declaration);
    expect(spec.root.inputDefinitions.parameters.lr).to.deep.equal({ parameterType: 'NUMBER_DOUBLE' });
    expect(spec.root.dag).to.deep.equal({ tasks: {} });
    expect(compiled.root.inputDefinitions.parameters['run-name']).to.deep.equal({ parameterType: 'NUMBER_INTEGER' });
    expect(Object.keys((prepareKfpPipelineSpec(resource({})) as any).root.inputDefinitions.parameters)).to.have.length(12);
  });

  it('unwraps a TFX wrapper (framework name in any case) but leaves other frameworks alone', () => {
    const wrapper = { displayName: 'x', pipelineSpec: { pipelineInfo: { name: 'inner' } }, runtimeConfig: {} };
    expect((prepareKfpPipelineSpec(resource(wrapper, 'TfX')) as any).pipelineInfo).to.deep.equal({ name: 'inner' });
    expect(prepareKfpPipelineSpec(resource(wrapper, 'kfpsdk'))).to.have.property('pipelineSpec');
    expect((prepareKfpPipelineSpec(resource({ pipelineInfo: { name: 'bare' } }, 'tfx')) as any).pipelineInfo.name).to.equal('bare');
  });

  it('accepts a compiled pipeline sent as JSON text, and rejects anything that is not a JSON object', () => {
    expect((prepareKfpPipelineSpec(resource('{"pipelineInfo":{"name":"t"}}')) as any).pipelineInfo.name).to.equal('t');
    for (const bad of [null, [1], 'not json', 3]) expect(() => prepareKfpPipelineSpec(resource(bad))).to.throw(InvalidInputError);
  });
});

describe('declaredKfpParameterTypes', () => {
  it('reads v2 parameterType, v1 type names, and specs stored together with a platform spec', () => {
    const root = {
      inputDefinitions: {
        parameters: { a: { parameterType: 'NUMBER_INTEGER' }, b: { type: 'DOUBLE' }, c: { parameterType: 'WEIRD' }, d: 'x' },
      },
    };
    expect([...declaredKfpParameterTypes({ root })]).to.deep.equal([
      ['a', 'NUMBER_INTEGER'],
      ['b', 'NUMBER_DOUBLE'],
    ]);
    expect([...declaredKfpParameterTypes({ pipeline_spec: { root }, platform_spec: {} })]).to.have.length(2);
    expect(declaredKfpParameterTypes(undefined).size).to.equal(0);
  });
});
