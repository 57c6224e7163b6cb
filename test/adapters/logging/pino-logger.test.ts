import { Writable } from 'node:stream';
import { expect } from 'chai';
import { maxLogLineLength } from '../../../src/adapters/logging/bounded-log-line.js';
import { createPinoLogger } from '../../../src/adapters/logging/pino-logger.js';

function capture(): { stream: Writable; lines: () => string[] } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return { stream, lines: () => text.split('\n').filter((line) => line !== '') };
}

describe('pino logger', () => {
  it('writes one JSON object a line with the level as a word', () => {
    const { stream, lines } = capture();
    createPinoLogger('info', stream).child({ component: 'test' }).info('hello', { runId: 'r-1' });
    const [line] = lines();
    expect(JSON.parse(line!)).to.include({ level: 'info', msg: 'hello', component: 'test', runId: 'r-1' });
  });

  it('stamps each line with the ISO time it was written at', async () => {
    const { stream, lines } = capture();
    const logger = createPinoLogger('info', stream);
    const times: number[] = [];
    for (let i = 0; i < 2; i += 1) {
      const before = Date.now();
      logger.info('tick');
      times.push(before, Date.now());
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const stamped = lines().map((line) => (JSON.parse(line) as { time: string }).time);
    expect(stamped).to.have.length(2);
    stamped.forEach((time, i) => {
      expect(time).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(Date.parse(time)).to.be.within(times[2 * i]!, times[2 * i + 1]!);
    });
    expect(stamped[1]).not.to.equal(stamped[0]);
  });

  const huge = [
    { why: 'a 3 MB string field', fields: { payload: 'x'.repeat(3_000_000) } },
    { why: 'an object of 100,000 keys', fields: { payload: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])) } },
    { why: 'an array of 200,000 items', fields: { payload: Array.from({ length: 200_000 }, (_, i) => `item-${i}`) } },
    {
      why: 'deep nesting',
      fields: { payload: JSON.parse(`${'{"a":'.repeat(2000)}"${'y'.repeat(50_000)}"${'}'.repeat(2000)}`) as unknown },
    },
  ];
  for (const { why, fields } of huge) {
    it(`keeps a line with ${why} under 16 KiB, still JSON, saying it was truncated`, () => {
      const { stream, lines } = capture();
      createPinoLogger('info', stream).warn('run event is malformed; dropped', { messageId: 'm-1', ...fields });
      const written = lines();
      expect(written).to.have.length(1);
      expect(written[0]!.length).to.be.lessThan(maxLogLineLength);
      const record = JSON.parse(written[0]!) as Record<string, unknown>;
      expect(record).to.include({ level: 'warn', msg: 'run event is malformed; dropped', truncated: true });
    });
  }

  it('leaves a line under the limit as it is', () => {
    const { stream, lines } = capture();
    createPinoLogger('info', stream).info('fine', { payload: 'z'.repeat(10_000) });
    const record = JSON.parse(lines()[0]!) as Record<string, unknown>;
    expect(record['payload']).to.equal('z'.repeat(10_000));
    expect(record).not.to.have.property('truncated');
  });
});

describe('pino logger redaction', () => {
  it('scrubs the secrets it is given from every line, child loggers included, before bounding a long one', () => {
    const { stream, lines } = capture();
    const logger = createPinoLogger('debug', stream, { secrets: ['topsecret-token'] });
    logger.child({ component: 'http' }).warn('backend answered 401', { error: 'token topsecret-token was refused' });
    logger.info('long', { payload: `${'x'.repeat(20_000)}topsecret-token` });
    expect(lines()).to.have.length(2);
    for (const written of lines()) expect(written).not.to.include('topsecret-token');
    expect(JSON.parse(lines()[0]!)).to.include({ error: 'token [redacted] was refused' });
  });
});
