import { writeSync } from 'node:fs';

/** How a {@link BufferedLogWriter} batches its writes. */
export interface BufferedLogWriterOptions {
  /** The file descriptor written to (1 for stdout). */
  readonly fd: number;
  /** The longest a line waits in memory before it is written; default 10 ms. */
  readonly flushDelayMs?: number;
  /** Characters waiting that are written at once, without waiting for the delay; default 64 Ki. */
  readonly flushLength?: number;
  /** Injected for tests: writes bytes to `fd` at `offset`, returning how many were written. */
  readonly write?: (fd: number, bytes: Buffer, offset: number) => number;
}

// What a flush at exit waits, in all, for a reader that lets the pipe fill (EAGAIN), before it
// gives up on the rest: the kubelet's grace period is longer, but an exit must end.
const exitWaitLimitMs = 2000;
const exitRetryMs = 1;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function isWouldBlock(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'EAGAIN';
}

/**
 * Log lines gathered in memory and written to a file descriptor in batches, one `write(2)` for
 * all the lines of the last few milliseconds. A line per `write` cost the request path a
 * system call (and, through an asynchronous stream, a thread-pool hop) per line, a third of the
 * service's throughput at the default log level.
 *
 * Nothing is lost on exit: {@link flushSync} writes what is left synchronously, and the writer
 * made by {@link stdoutLogWriter} calls it on the process's `exit` event, which `process.exit`,
 * an uncaught exception and the end of the event loop all emit. Only a SIGKILL (or OOM kill)
 * loses the lines of the last `flushDelayMs`.
 */
export class BufferedLogWriter {
  readonly #fd: number;
  readonly #flushDelayMs: number;
  readonly #flushLength: number;
  readonly #write: (fd: number, bytes: Buffer, offset: number) => number;
  #pending = '';
  // Bytes a short write left over, written before anything newer.
  #unwritten: Buffer | undefined;
  #timer: NodeJS.Timeout | undefined;
  #broken = false;

  constructor(options: BufferedLogWriterOptions) {
    this.#fd = options.fd;
    this.#flushDelayMs = options.flushDelayMs ?? 10;
    this.#flushLength = options.flushLength ?? 64 * 1024;
    this.#write = options.write ?? ((fd, bytes, offset) => writeSync(fd, bytes, offset));
  }

  /** True while lines wait to be written. */
  get pending(): boolean {
    return this.#pending !== '' || this.#unwritten !== undefined;
  }

  /** Adds one line (with its newline); pino calls this for every line. */
  write(line: string): boolean {
    if (this.#broken) return true;
    this.#pending += line;
    if (this.#pending.length >= this.#flushLength) this.flush();
    // Unreferenced: a waiting line never keeps the process alive, the exit flush writes it.
    else this.#timer ??= setTimeout(() => this.flush(), this.#flushDelayMs).unref();
    return true;
  }

  /**
   * Writes what is waiting. When the descriptor cannot take it all now (a non-blocking pipe
   * whose reader is behind), the rest waits for the next flush.
   */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#writeOut(false);
    if (this.pending) this.#timer = setTimeout(() => this.flush(), this.#flushDelayMs).unref();
  }

  /** Writes everything waiting before it returns (waiting out a full pipe up to 2 s); for exit. */
  flushSync(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#writeOut(true);
  }

  // A reader that went away (EPIPE) or another write error ends the log: there is nowhere left
  // to report it.
  #writeOut(wait: boolean): void {
    if (!this.pending) return;
    const fresh = Buffer.from(this.#pending, 'utf8');
    const bytes = this.#unwritten ? Buffer.concat([this.#unwritten, fresh]) : fresh;
    this.#pending = '';
    this.#unwritten = undefined;
    let offset = 0;
    let waited = 0;
    while (offset < bytes.length) {
      try {
        offset += this.#write(this.#fd, bytes, offset);
      } catch (error) {
        if (!isWouldBlock(error)) {
          this.#broken = true;
          return;
        }
        if (!wait || waited >= exitWaitLimitMs) break;
        Atomics.wait(sleeper, 0, 0, exitRetryMs);
        waited += exitRetryMs;
      }
    }
    if (offset < bytes.length) this.#unwritten = bytes.subarray(offset);
  }
}

let stdoutWriter: BufferedLogWriter | undefined;

/**
 * The process's log output: one {@link BufferedLogWriter} on stdout, shared by every logger that
 * writes there so that their lines keep their order, with one exit listener that writes what is left.
 */
export function stdoutLogWriter(): BufferedLogWriter {
  if (!stdoutWriter) {
    const writer = new BufferedLogWriter({ fd: 1 });
    process.once('exit', () => writer.flushSync());
    stdoutWriter = writer;
  }
  return stdoutWriter;
}
