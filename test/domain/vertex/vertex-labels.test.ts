import { expect } from 'chai';
import { formatGoLabelValue, sanitiseVertexLabels } from '../../../src/domain/vertex/vertex-labels.js';

describe('vertex label sanitising', () => {
  const cases: Array<{ name: string; input: Record<string, string>; expected: Record<string, string> }> = [
    { name: 'lower-cases keys and values', input: { 'Run-Name': 'MyRun' }, expected: { 'run-name': 'myrun' } },
    { name: 'deletes characters outside [a-z0-9_-]', input: { 'trigger-source': '%^@Test*' }, expected: { 'trigger-source': 'test' } },
    { name: 'drops slashes and dots in other keys', input: { 'run-name': 'ns/name.v1' }, expected: { 'run-name': 'nsnamev1' } },
    { name: 'deletes characters from keys', input: { 'My.Key!': 'v' }, expected: { mykey: 'v' } },
    {
      name: 'turns dots of pipeline-version into underscores',
      input: { 'pipeline-version': '0.0.1' },
      expected: { 'pipeline-version': '0_0_1' },
    },
    {
      name: 'turns a run of separators into one underscore',
      input: { sdk_version: 'kfp-2.12.2' },
      expected: { sdk_version: 'kfp-2_12_2' },
    },
    { name: 'collapses runs in schema_version', input: { schema_version: '2..1 / 0' }, expected: { schema_version: '2_1_0' } },
    { name: 'matches version keys after lower-casing', input: { 'Pipeline-Version': 'V1.2' }, expected: { 'pipeline-version': 'v1_2' } },
    { name: 'keeps empty values', input: { 'pipeline-namespace': '' }, expected: { 'pipeline-namespace': '' } },
    {
      name: 'truncates keys and values to 63 characters',
      input: { ['k'.repeat(70)]: 'v'.repeat(70) },
      expected: { ['k'.repeat(63)]: 'v'.repeat(63) },
    },
    {
      name: 'truncates after sanitising',
      input: { 'run-name': `${'.'.repeat(10)}${'a'.repeat(70)}` },
      expected: { 'run-name': 'a'.repeat(63) },
    },
  ];
  for (const { name, input, expected } of cases) {
    it(name, () => {
      expect(sanitiseVertexLabels(input)).to.deep.equal(expected);
    });
  }
});

describe('Go-style label values', () => {
  const cases: Array<[unknown, string]> = [
    ['text', 'text'],
    [1, '1'],
    [1.5, '1.5'],
    [true, 'true'],
    [false, 'false'],
    [null, '<nil>'],
    [100000, '100000'],
    [1000000, '1e+06'],
    [123456789, '1.23456789e+08'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [0, '0'],
    [-2.5, '-2.5'],
    [[1, 'a'], '[1 a]'],
    [{ b: 1, a: 'x' }, 'map[a:x b:1]'],
  ];
  for (const [value, expected] of cases) {
    it(`formats ${JSON.stringify(value)} as ${expected}`, () => {
      expect(formatGoLabelValue(value)).to.equal(expected);
    });
  }
});
