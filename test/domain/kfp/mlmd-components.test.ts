import { expect } from 'chai';
import { mlmdArtifactMetadata, mlmdPipelineComponents, mlmdValueToJson } from '../../../src/domain/kfp/mlmd-components.js';

const named = (name: string) => ({ display_name: { string_value: name } });

describe('mlmdPipelineComponents', () => {
  it('keeps named executions with named OUTPUT artifacts, one component artifact per event, in MLMD order', () => {
    const components = mlmdPipelineComponents(
      [
        { id: '2', custom_properties: named('Second') },
        { id: '1', custom_properties: named('First') },
        { id: '3', custom_properties: {} },
        { id: '4', custom_properties: { display_name: { int_value: '3' } } },
      ],
      [
        { execution_id: '1', artifact_id: '10', type: 'OUTPUT' },
        { execution_id: '1', artifact_id: '10', type: 'OUTPUT' },
        { execution_id: '1', artifact_id: '11', type: 'INPUT' },
        { execution_id: '2', artifact_id: '12', type: 'OUTPUT' },
        { execution_id: '2', artifact_id: '99', type: 'OUTPUT' },
        { execution_id: '3', artifact_id: '10', type: 'OUTPUT' },
        { execution_id: '4', artifact_id: '13', type: 'OUTPUT' },
      ],
      [
        { id: '10', uri: 'u10', custom_properties: named('model') },
        { id: '11', uri: 'u11', custom_properties: named('input') },
        { id: '12', custom_properties: {} },
        { id: '13', uri: 'u13', custom_properties: named('odd') },
      ],
    );
    expect(components).to.deep.equal([
      {
        name: 'First',
        componentArtifacts: [
          { name: 'model', artifacts: [{ uri: 'u10', metadata: { display_name: 'model' } }] },
          { name: 'model', artifacts: [{ uri: 'u10', metadata: { display_name: 'model' } }] },
        ],
      },
      { name: '', componentArtifacts: [{ name: 'odd', artifacts: [{ uri: 'u13', metadata: { display_name: 'odd' } }] }] },
    ]);
    expect(mlmdPipelineComponents([], [], [])).to.deep.equal([]);
  });

  it('merges custom properties over properties and converts each value kind', () => {
    const metadata = mlmdArtifactMetadata({
      properties: { a: { int_value: '7' }, b: { string_value: 'old' }, flag: { bool_value: true } },
      custom_properties: {
        b: { string_value: 'new' },
        c: { double_value: 0.5 },
        s: { struct_value: { fields: { x: { listValue: { values: [{ numberValue: 1 }] } } } } },
      },
    });
    expect(metadata).to.deep.equal({ a: 7, b: 'new', c: 0.5, s: { x: [1] } });
    expect(mlmdValueToJson({ proto_value: {} })).to.equal(undefined);
  });
});
