import { expect } from 'chai';
import { protobufStructToJson, protobufValueToJson } from '../../src/domain/protobuf-json.js';

describe('protobufStructToJson', () => {
  it('reads lowerCamel members as protobufjs decodes them', () => {
    const struct = {
      fields: {
        s: { stringValue: 'x' },
        n: { numberValue: 1.5 },
        b: { boolValue: false },
        z: { nullValue: 'NULL_VALUE' },
        l: { listValue: { values: [{ numberValue: 1 }, { stringValue: 'a' }] } },
        o: { structValue: { fields: { deep: { boolValue: true } } } },
      },
    };
    expect(protobufStructToJson(struct)).to.deep.equal({ s: 'x', n: 1.5, b: false, z: null, l: [1, 'a'], o: { deep: true } });
  });

  it('reads snake_case members and kinds as a keepCase loader (ML Metadata) decodes them', () => {
    const struct = { fields: { n: { kind: 'number_value', number_value: 2 }, l: { list_value: { values: [{ string_value: 'a' }] } } } };
    expect(protobufStructToJson(struct)).to.deep.equal({ n: 2, l: ['a'] });
  });

  it('lets kind decide when a decoder with defaults fills every member', () => {
    expect(
      protobufValueToJson({ kind: 'numberValue', numberValue: 0, stringValue: '', boolValue: false, nullValue: 'NULL_VALUE' }),
    ).to.equal(0);
    expect(protobufValueToJson({ kind: 'stringValue', stringValue: '', numberValue: 0, structValue: null, listValue: null })).to.equal('');
    expect(protobufValueToJson({ kind: 'nullValue', nullValue: 'NULL_VALUE', numberValue: 0 })).to.equal(null);
    expect(protobufValueToJson({ kind: 'listValue', listValue: { values: [] }, stringValue: '' })).to.deep.equal([]);
  });

  it('gives {} for an absent struct and null for an unreadable value', () => {
    expect(protobufStructToJson(undefined)).to.deep.equal({});
    expect(protobufStructToJson(null)).to.deep.equal({});
    expect(protobufValueToJson(undefined)).to.equal(null);
    expect(protobufValueToJson({})).to.equal(null);
  });
});
