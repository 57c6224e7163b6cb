import { expect } from 'chai';
import { InvalidInputError } from '../../src/domain/errors.js';
import {
  emptyNamespacedName,
  formatNamespacedName,
  isEmptyNamespacedName,
  parseNamespacedName,
  resourceName,
} from '../../src/domain/namespaced-name.js';

describe('namespaced name', () => {
  const valid = [
    { text: '', namespace: '', name: '' },
    { text: 'name', namespace: '', name: 'name' },
    { text: 'ns/name', namespace: 'ns', name: 'name' },
  ];
  for (const { text, namespace, name } of valid) {
    it(`parses "${text}" and formats it back unchanged`, () => {
      const parsed = parseNamespacedName(text);
      expect(parsed).to.deep.equal({ namespace, name });
      expect(formatNamespacedName(parsed)).to.equal(text);
    });
  }

  const invalid = ['a/b/c', '/x', 'acc/', '/', 'a//b'];
  for (const text of invalid) {
    it(`rejects "${text}" as invalid input naming the field`, () => {
      expect(() => parseNamespacedName(text, 'run.pipelineName'))
        .to.throw(InvalidInputError)
        .with.property('message')
        .that.includes('run.pipelineName')
        .and.includes(text);
    });
  }

  it('tells the empty name apart from a named one', () => {
    expect(isEmptyNamespacedName(emptyNamespacedName)).to.equal(true);
    expect(isEmptyNamespacedName(parseNamespacedName(''))).to.equal(true);
    expect(isEmptyNamespacedName({ namespace: '', name: 'x' })).to.equal(false);
  });

  const resourceNames = [
    { value: { namespace: 'ns', name: 'name' }, expected: 'ns-name' },
    { value: { namespace: '', name: 'name' }, expected: 'name' },
  ];
  for (const { value, expected } of resourceNames) {
    it(`gives ${JSON.stringify(value)} the resource name "${expected}"`, () => {
      expect(resourceName(value)).to.equal(expected);
    });
  }
});
