import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { BufferedLogWriter, type BufferedLogWriterOptions } from '../../../src/adapters/logging/buffered-log-writer.js';

const fixture = fileURLToPath(new URL('./fixtures/log-then-exit.ts', import.meta.url));

interface Ended {
  readonly code: number | null;
  readonly lines: string[];
  readonly stderr: string;
}

function logThenExit(mode: string, count: number): Promise<Ended> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', fixture, mode, String(count)],
      { maxBuffer: 64 * 1024 * 1024, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, lines: stdout.split('\n').filter((line) => line !== ''), stderr });
      },
    );
  });
}

function sequence(lines: readonly string[]): unknown[] {
  return lines.map((line) => (JSON.parse(line) as { seq?: number }).seq).filter((seq) => seq !== undefined);
}

// A writer whose every write takes all it is given, recording the text of each.
function recordingWriter(options: Omit<BufferedLogWriterOptions, 'fd' | 'write'>): { writes: string[]; writer: BufferedLogWriter } {
  const writes: string[] = [];
  const write = (_fd: number, bytes: Buffer, offset: number): number => {
    writes.push(bytes.toString('utf8', offset));
    return bytes.length - offset;
  };
  return { writes, writer: new BufferedLogWriter({ ...options, fd: 99, write }) };
}

describe('buffered log writer', () => {
  const count = 20_000;
  const endings = [
    { mode: 'exit', why: 'process.exit', code: 0, extra: [] },
    { mode: 'uncaught', why: 'an uncaught exception', code: 1, extra: [] },
    { mode: 'handled-fatal', why: 'a fatal error handler that logs and exits', code: 1, extra: ['uncaught exception; exiting'] },
    { mode: 'sigterm', why: 'a SIGTERM handler that logs and exits', code: 0, extra: ['shutting down'] },
    { mode: 'end', why: 'the end of the event loop', code: 0, extra: [] },
  ];
  for (const { mode, why, code, extra } of endings) {
    it(`loses no line of ${count.toLocaleString('en')} when the process ends by ${why}`, async function () {
      this.timeout(30_000);
      const ended = await logThenExit(mode, count);
      expect(ended.code, ended.stderr).to.equal(code);
      expect(ended.lines).to.have.length(count + extra.length);
      expect(sequence(ended.lines)).to.deep.equal(Array.from({ length: count }, (_, seq) => seq));
      expect(ended.lines.slice(count).map((line) => (JSON.parse(line) as { msg: string }).msg)).to.deep.equal(extra);
    });
  }

  it('shares one writer between the loggers on stdout, with one exit listener', async () => {
    const ended = await logThenExit('listeners', 0);
    expect(ended.code, ended.stderr).to.equal(0);
    expect(ended.lines.map((line) => (JSON.parse(line) as { count: number }).count)).to.deep.equal([1]);
  });

  it('writes the lines of a burst in one write, after the delay', async () => {
    const { writes, writer } = recordingWriter({ flushDelayMs: 5 });
    writer.write('a\n');
    writer.write('b\n');
    expect(writes).to.deep.equal([]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(writes).to.deep.equal(['a\nb\n']);
    expect(writer.pending).to.equal(false);
  });

  it('writes at once past the flush length', () => {
    const { writes, writer } = recordingWriter({ flushLength: 4 });
    writer.write('ab\n');
    writer.write('cd\n');
    expect(writes).to.deep.equal(['ab\ncd\n']);
  });

  it('keeps the bytes a short or refused write left, multi-byte characters whole, for the next flush', () => {
    const written: Buffer[] = [];
    let calls = 0;
    const writer = new BufferedLogWriter({
      fd: 99,
      write: (_fd, bytes, offset) => {
        calls += 1;
        // The first write takes two bytes, cutting the two-byte "é" in the middle; the second is refused.
        if (calls === 2) throw Object.assign(new Error('would block'), { code: 'EAGAIN' });
        const taken = calls === 1 ? 2 : bytes.length - offset;
        written.push(Buffer.from(bytes.subarray(offset, offset + taken)));
        return taken;
      },
    });
    writer.write('aé\n');
    writer.flush();
    expect(writer.pending).to.equal(true);
    writer.write('b\n');
    writer.flushSync();
    expect(Buffer.concat(written).toString('utf8')).to.equal('aé\nb\n');
    expect(writer.pending).to.equal(false);
  });

  it('stops writing once the reader is gone', () => {
    let calls = 0;
    const writer = new BufferedLogWriter({
      fd: 99,
      write: () => {
        calls += 1;
        throw Object.assign(new Error('broken pipe'), { code: 'EPIPE' });
      },
    });
    writer.write('a\n');
    writer.flushSync();
    writer.write('b\n');
    writer.flushSync();
    expect(calls).to.equal(1);
    expect(writer.pending).to.equal(false);
  });
});
