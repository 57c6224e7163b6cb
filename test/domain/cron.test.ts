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

  const validValues = [
    '0 0 1 JAN SUN',
    '0 0 ? * MON-FRI',
    '0 0 1,15 * ?',
    '*/15 0-23/2 1-31 1-12 0-7',
    '59 23 31 12 7',
    '0 0 1 jan-mar sun,sat',
    '0-59/59 * * * * *',
  ];
  for (const input of validValues) {
    it(`accepts the field values of "${input}"`, () => {
      expect(() => parseCron(input)).not.to.throw();
    });
  }

  const invalidValues = [
    { input: '99 * * * *', field: 'minute' },
    { input: '* 24 * * *', field: 'hour' },
    { input: '* * 0 * *', field: 'day of month' },
    { input: '* * 32 * *', field: 'day of month' },
    { input: '* * * 13 *', field: 'month' },
    { input: '* * * * 8', field: 'day of week' },
    { input: '60 * * * * *', field: 'second' },
    { input: '*/0 * * * *', field: 'minute' },
    { input: '5-1 * * * *', field: 'minute' },
    { input: '1-2-3 * * * *', field: 'minute' },
    { input: '1/2/3 * * * *', field: 'minute' },
    { input: '1,,2 * * * *', field: 'minute' },
    { input: '? * * * *', field: 'minute' },
    { input: '* * * FOO *', field: 'month' },
    { input: '* * L * *', field: 'day of month' },
    { input: 'a * * * *', field: 'minute' },
    { input: '-1 * * * *', field: 'minute' },
    { input: '0 0 ?/2 * *', field: 'day of month' },
  ];
  for (const { input, field } of invalidValues) {
    it(`rejects "${input}", naming the ${field} field`, () => {
      expect(() => parseCron(input)).to.throw(InvalidInputError, `the ${field} field`);
    });
  }

  it('quotes at most the start of a huge expression', () => {
    const huge = `${'1,'.repeat(100_000)}1 * * * *`;
    let message = '';
    try {
      parseCron(`x${huge}`);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.include('the minute field');
    expect(message.length).to.be.lessThan(1000);
  });
});
