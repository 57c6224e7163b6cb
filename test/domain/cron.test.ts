import { expect } from 'chai';
import { parseCron } from '../../src/domain/cron.js';
import { InvalidInputError } from '../../src/domain/errors.js';

describe('cron expression', () => {
  const valid = [
    { input: '0 3 * * *', standard: '0 3 * * *', withSeconds: '0 0 3 * * *', why: '5 fields gain a 0 seconds field' },
    { input: '30 0 3 * * *', standard: '0 3 * * *', withSeconds: '30 0 3 * * *', why: '6 fields lose the seconds field' },
    { input: '  */5   *\t* *  1-5 ', standard: '*/5 * * * 1-5', withSeconds: '0 */5 * * * 1-5', why: 'extra whitespace collapses' },
  ];
  for (const { input, standard, withSeconds, why } of valid) {
    it(`accepts "${input}": ${why}`, () => {
      expect(parseCron(input)).to.deep.equal({ standard, withSeconds });
    });
  }

  const invalid = [
    { input: '* * * *', fields: 4 },
    { input: '0 0 3 * * * 2024', fields: 7 },
    { input: '', fields: 0 },
    { input: '   ', fields: 0 },
  ];
  for (const { input, fields } of invalid) {
    it(`rejects "${input}" (${fields} fields) as invalid input`, () => {
      expect(() => parseCron(input)).to.throw(InvalidInputError, `has ${fields} fields`);
    });
  }
});
