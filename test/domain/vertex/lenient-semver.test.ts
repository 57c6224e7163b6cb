import { expect } from 'chai';
import { compareSemver, parseLenientSemver } from '../../../src/domain/vertex/lenient-semver.js';

describe('lenient semver', () => {
  const parsed: Array<[string, [number, number, number, string[]]]> = [
    ['2.1.0', [2, 1, 0, []]],
    ['v2.1.0', [2, 1, 0, []]],
    ['2', [2, 0, 0, []]],
    ['2.1', [2, 1, 0, []]],
    [' 2.1.3 ', [2, 1, 3, []]],
    ['2.1.0-alpha.1', [2, 1, 0, ['alpha', '1']]],
    ['2.1.0+build.5', [2, 1, 0, []]],
  ];
  for (const [text, [major, minor, patch, preRelease]] of parsed) {
    it(`parses "${text}"`, () => {
      expect(parseLenientSemver(text)).to.deep.equal({ major, minor, patch, preRelease });
    });
  }

  for (const text of ['', 'abc', '2.x', '2.1.0.4', 'v', '2.1.0-']) {
    it(`rejects "${text}"`, () => {
      expect(parseLenientSemver(text)).to.equal(undefined);
    });
  }

  const ordered: Array<[string, string, number]> = [
    ['2.1.0', '2.1.0', 0],
    ['2.0.9', '2.1.0', -1],
    ['2.1.1', '2.1.0', 1],
    ['3', '2.9.9', 1],
    ['2.1.0-rc.1', '2.1.0', -1],
    ['2.1.0-alpha', '2.1.0-beta', -1],
    ['2.1.0-alpha.2', '2.1.0-alpha.10', -1],
    ['2.1.0-1', '2.1.0-alpha', -1],
    ['2.1.0-alpha', '2.1.0-alpha.1', -1],
  ];
  for (const [a, b, expected] of ordered) {
    it(`orders ${a} ${expected < 0 ? '<' : expected > 0 ? '>' : '='} ${b}`, () => {
      expect(compareSemver(parseLenientSemver(a)!, parseLenientSemver(b)!)).to.equal(expected);
      expect(compareSemver(parseLenientSemver(b)!, parseLenientSemver(a)!)).to.equal(-expected || 0);
    });
  }
});
