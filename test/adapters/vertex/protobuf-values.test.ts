import { expect } from 'chai';
import { fromProtoTimestamp, toProtoStruct, toProtoTimestamp, toProtoValue } from '../../../src/adapters/vertex/protobuf-values.js';
import { protobufStructToJson, protobufValueToJson } from '../../../src/domain/protobuf-json.js';

describe('protobuf values', () => {
  const values: Array<[unknown, unknown]> = [
    [null, { nullValue: 'NULL_VALUE' }],
    ['s', { stringValue: 's' }],
    [1.5, { numberValue: 1.5 }],
    [false, { boolValue: false }],
    [[1, 'a'], { listValue: { values: [{ numberValue: 1 }, { stringValue: 'a' }] } }],
    [{ a: { b: true } }, { structValue: { fields: { a: { structValue: { fields: { b: { boolValue: true } } } } } } }],
  ];
  for (const [json, proto] of values) {
    it(`converts ${JSON.stringify(json)} both ways`, () => {
      expect(toProtoValue(json)).to.deep.equal(proto);
      expect(protobufValueToJson(toProtoValue(json))).to.deep.equal(json);
    });
  }

  it('round-trips a whole pipeline spec as a Struct', () => {
    const spec = { pipelineInfo: { name: 'p' }, root: { dag: { tasks: { a: { inputs: [1, null, 'x'] } } } }, schemaVersion: '2.1.0' };
    expect(toProtoStruct(spec)).to.have.nested.property('fields.pipelineInfo.structValue.fields.name.stringValue', 'p');
    expect(protobufStructToJson(toProtoStruct(spec))).to.deep.equal(spec);
  });

  it('converts times to and from Timestamps with millisecond precision', () => {
    const date = new Date('2030-01-02T03:04:05.678Z');
    expect(toProtoTimestamp(date)).to.deep.equal({ seconds: Math.floor(date.getTime() / 1000), nanos: 678_000_000 });
    expect(fromProtoTimestamp({ seconds: String(Math.floor(date.getTime() / 1000)), nanos: 678_999_999 })).to.deep.equal(date);
    expect(fromProtoTimestamp(null)).to.equal(undefined);
  });
});
