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

  const label63 = 'a'.repeat(63);
  const subdomain253 = `${'a'.repeat(61)}.${'b'.repeat(61)}.${'c'.repeat(61)}.${'d'.repeat(61)}.eeeee`;
  const kubernetesValid = [
    { text: `${label63}/x`, why: 'a 63-character namespace' },
    { text: `ns/${subdomain253}`, why: 'a 253-character name' },
    { text: 'ns/my.pipeline.v2', why: 'dots in the name' },
    { text: 'team-a/run-1', why: 'hyphens inside' },
    { text: '0ns/9', why: 'leading digits' },
  ];
  for (const { text, why } of kubernetesValid) {
    it(`accepts ${why}`, () => {
      expect(formatNamespacedName(parseNamespacedName(text))).to.equal(text);
    });
  }

  const kubernetesInvalid = [
    { text: `${'a'.repeat(64)}/x`, why: 'a 64-character namespace', says: 'longer than 63' },
    { text: `ns/${subdomain253}f`, why: 'a 254-character name', says: 'longer than 253' },
    { text: 'Team/x', why: 'upper case in the namespace', says: 'namespace' },
    { text: 'ns/Penguin', why: 'upper case in the name', says: 'name' },
    { text: 'ns/my_pipeline', why: 'an underscore', says: 'name' },
    { text: 'n.s/x', why: 'a dot in the namespace', says: 'namespace' },
    { text: 'ns/-x', why: 'a leading hyphen', says: 'name' },
    { text: 'ns/x-', why: 'a trailing hyphen', says: 'name' },
    { text: 'ns/a..b', why: 'an empty dot-separated part', says: 'name' },
    { text: 'ns/pingüino', why: 'Unicode', says: 'name' },
    { text: 'ns/\uFFFD', why: 'a replacement character from invalid UTF-8', says: 'name' },
    { text: 'ns/a b', why: 'a space', says: 'name' },
  ];
  for (const { text, why, says } of kubernetesInvalid) {
    it(`rejects ${why} as invalid input`, () => {
      expect(() => parseNamespacedName(text, 'run.name'))
        .to.throw(InvalidInputError)
        .with.property('message')
        .that.includes('run.name')
        .and.includes(says);
    });
  }

  it('quotes at most about 200 characters of a 1.5 MB name', () => {
    const huge = 'x'.repeat(1_500_000);
    for (const text of [`ns/${huge}`, `${huge}/x/y`, `ns/${huge.toUpperCase()}`]) {
      let message = '';
      try {
        parseNamespacedName(text, 'run.name');
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).to.include('run.name');
      expect(message.length).to.be.lessThan(500);
    }
  });
});
