import { expect } from 'chai';
import { type JsonShapeLimits, JsonShapeScanner } from '../../../src/adapters/http/json-shape-scanner.js';

const roomy: JsonShapeLimits = { values: 1_000_000, depth: 1000 };

// Scans `text` in chunks of `chunk` bytes, so that tokens and characters fall across chunk ends.
function scan(text: string | Buffer, limits: JsonShapeLimits = roomy, chunk = 3): { excess: string | undefined; textBytes: number } {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const scanner = new JsonShapeScanner(limits);
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    const excess = scanner.scan(bytes.subarray(offset, offset + chunk));
    if (excess) return { excess, textBytes: scanner.textBytes };
  }
  return { excess: undefined, textBytes: scanner.textBytes };
}

// The exact number of values (keys included) is the smallest limit the text stays within.
function valuesOf(text: string): number {
  let values = 0;
  while (scan(text, { values, depth: 1000 }).excess === 'values') values += 1;
  return values;
}

describe('JSON shape scanner', () => {
  const counts: Array<[string, number]> = [
    ['{}', 1],
    ['[]', 1],
    ['"a"', 1],
    ['12.5e3', 1],
    ['[1, 22, -3, true, false, null]', 7],
    ['{"a": 1, "b": [2, {"c": "d"}]}', 9],
    ['{"k":"va,lue with [brackets] and {braces}: \\"quoted\\" \\\\"}', 3],
    [' \n\t[ "x" , { } ]\r\n', 3],
  ];
  for (const [text, values] of counts) {
    it(`counts ${values} value(s), keys included, in ${JSON.stringify(text)}`, () => {
      expect(valuesOf(text)).to.equal(values);
    });
  }

  it('refuses a text over the value limit as soon as it gets there', () => {
    const text = `[${Array(1000).fill('0').join(',')}]`;
    expect(scan(text, { values: 1000, depth: 10 }).excess).to.equal('values');
    expect(scan(text, { values: 1001, depth: 10 }).excess).to.equal(undefined);
  });

  it('refuses nesting deeper than the limit, however the brackets fall across chunks', () => {
    const deep = `${'['.repeat(65)}${']'.repeat(65)}`;
    expect(scan(deep, { values: 1000, depth: 64 }, 7).excess).to.equal('depth');
    expect(scan(`{"a":${'['.repeat(63)}${']'.repeat(63)}}`, { values: 1000, depth: 64 }, 7).excess).to.equal(undefined);
    // Brackets inside strings do not nest.
    expect(scan(`["${'['.repeat(100)}"]`, { values: 1000, depth: 2 }).excess).to.equal(undefined);
  });

  it('measures the text as V8 holds it: one byte a character while all are Latin-1', () => {
    expect(scan('"abc"').textBytes).to.equal(5);
    expect(scan('"é ü ß"').textBytes).to.equal('"é ü ß"'.length);
  });

  it('measures two bytes a UTF-16 unit once a character is beyond Latin-1, across chunk ends', () => {
    for (const text of ['"aā"', '"日本語"', '"a😀b"']) {
      for (const chunk of [1, 2, 3, 64])
        expect(scan(text, roomy, chunk).textBytes, `${text} in chunks of ${chunk}`).to.equal(2 * text.length);
    }
  });

  it('counts malformed UTF-8 at two bytes a byte, as each bad byte may become a U+FFFD', () => {
    const malformed = Buffer.from([0x22, 0x61, 0x80, 0xc0, 0xaf, 0xe0, 0x80, 0x80, 0xf0, 0x28, 0x22]);
    expect(scan(malformed).textBytes).to.equal(2 * malformed.length);
    expect(scan(Buffer.from([0x22, 0xe6, 0x97])).textBytes, 'a character cut off at the end').to.equal(6);
  });
});
