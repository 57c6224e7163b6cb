import { expect } from 'chai';
import { exceedsJsonDepth } from '../../../src/adapters/http/json-depth.js';
import { JsonShapeScanner } from '../../../src/adapters/http/json-shape-scanner.js';

function scannedDepthExcess(text: string, depth: number): boolean {
  return new JsonShapeScanner({ values: 1_000_000, depth }).scan(Buffer.from(text)) === 'depth';
}

describe('JSON depth of a parsed value', () => {
  const texts = [
    '1',
    '"text"',
    'null',
    '[]',
    '{}',
    '[[[]]]',
    '{"a":{"b":[1,{"c":[]}]}}',
    '[1,[2,[3]],{"k":[[["deep"]]]},[]]',
    '{"__proto__":{"x":[[1]]}}',
  ];
  for (const text of texts) {
    it(`counts the levels of ${text} as the scanner of the text does`, () => {
      for (let limit = 0; limit <= 6; limit += 1) {
        expect(exceedsJsonDepth(JSON.parse(text), limit), `limit ${limit}`).to.equal(scannedDepthExcess(text, limit));
      }
    });
  }

  it('walks a nesting of 100,000 levels without recursion, stopping past the limit', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    expect(exceedsJsonDepth(deep, 64)).to.equal(true);
    expect(exceedsJsonDepth(deep, 100_000)).to.equal(false);
  });
});
