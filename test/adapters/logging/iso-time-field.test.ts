import { expect } from 'chai';
import { isoTimeField } from '../../../src/adapters/logging/iso-time-field.js';

describe('ISO time field', () => {
  it('writes the time field as pino does, and a new one once the clock moves', () => {
    const clock = { ms: Date.UTC(2024, 0, 1, 12, 30, 45, 123) };
    const field = isoTimeField(() => clock.ms);
    expect(field()).to.equal(',"time":"2024-01-01T12:30:45.123Z"');
    expect(field()).to.equal(',"time":"2024-01-01T12:30:45.123Z"');
    clock.ms += 1;
    expect(field()).to.equal(',"time":"2024-01-01T12:30:45.124Z"');
    // A clock stepped back (NTP) is followed, not held at the later time.
    clock.ms -= 1000;
    expect(field()).to.equal(',"time":"2024-01-01T12:30:44.124Z"');
  });
});
