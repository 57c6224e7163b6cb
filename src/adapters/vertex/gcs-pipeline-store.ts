import type { Bucket } from '@google-cloud/storage';
import { errorMessage } from '../../domain/error-message.js';
import { BackendError } from '../../domain/errors.js';
import { backendErrorStatus } from '../shared/backend-error-status.js';

/** Options of {@link GcsPipelineStore}. */
export interface GcsPipelineStoreOptions {
  /**
   * Deadline of each storage call (`BACKEND_TIMEOUT_MS`), retries of the storage client
   * included. The client should be built with the same per-request timeout, so that a call cut
   * off here also ends its socket rather than leaving it open on an endpoint that never answers.
   */
  readonly timeoutMs: number;
}

/**
 * Compiled pipelines as objects in one GCS bucket. Object paths come from the domain; this class
 * only moves bytes and turns storage failures into {@link BackendError}s that say what failed,
 * a call that outlives its deadline included.
 */
export class GcsPipelineStore {
  readonly #bucket: () => Promise<Bucket>;
  readonly #bucketName: string;
  readonly #timeoutMs: number;

  /** `bucket` is asked for on each call, so the storage client can be built on first use. */
  constructor(bucketName: string, bucket: () => Promise<Bucket>, options: GcsPipelineStoreOptions) {
    if (!(options.timeoutMs > 0)) throw new RangeError('timeoutMs must be positive');
    this.#bucketName = bucketName;
    this.#bucket = bucket;
    this.#timeoutMs = options.timeoutMs;
  }

  /** Writes (or overwrites) the object at `path` with the JSON text of `value`. */
  async write(path: string, value: unknown): Promise<void> {
    // An absent compiled pipeline is stored as an empty (zero-byte) object, as the reference
    // service does; reading it back is then not valid JSON, so running it fails with a message
    // naming the pipeline.
    const text = value === undefined || value === null ? '' : JSON.stringify(value);
    const url = this.#url(path);
    try {
      await this.#call(`upload of ${url}`, (bucket) =>
        bucket.file(path).save(text, { resumable: false, contentType: 'application/json', timeout: this.#timeoutMs }),
      );
    } catch (error) {
      throw this.#failure(error, `storing ${url} failed`);
    }
  }

  /** Reads and parses the object at `path`; `describedAs` names it in errors (pipeline and version). */
  async read(path: string, describedAs: string): Promise<unknown> {
    const url = this.#url(path);
    let bytes: Buffer;
    try {
      [bytes] = await this.#call(`download of ${describedAs} from ${url}`, (bucket) => bucket.file(path).download());
    } catch (error) {
      if (backendErrorStatus(error) === 404) {
        throw new BackendError(`${describedAs} is not stored: ${url} does not exist`, { cause: error });
      }
      throw this.#failure(error, `reading ${describedAs} from ${url} failed`);
    }
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      throw new BackendError(`${describedAs} at ${url} is not valid JSON`, { cause: error });
    }
  }

  /** Deletes every object under `prefix`; nothing there is success, the first failure aborts. */
  async deletePrefix(prefix: string): Promise<void> {
    const url = `${this.#url(prefix)}*`;
    try {
      const [files] = await this.#call(`listing of ${url}`, (bucket) => bucket.getFiles({ prefix }));
      for (const file of files) {
        await this.#call(`deletion of ${this.#url(file.name)}`, () => file.delete({ ignoreNotFound: true }));
      }
    } catch (error) {
      throw this.#failure(error, `deleting ${url} failed`);
    }
  }

  #url(path: string): string {
    return `gs://${this.#bucketName}/${path}`;
  }

  // The storage client's own timeouts apply per HTTP request and its retries multiply them (a
  // download is tried up to four times), so the deadline of the whole call is kept here. A call
  // cut off goes on in the background until the client's request timeout ends it; its late
  // answer is dropped.
  async #call<T>(what: string, work: (bucket: Bucket) => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new GcsDeadlineExceeded(`Cloud Storage ${what} timed out after ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      );
    });
    const call = this.#bucket().then(work);
    try {
      return await Promise.race([call, deadline]);
    } finally {
      clearTimeout(timer);
      call.catch(() => undefined);
    }
  }

  #failure(error: unknown, what: string): BackendError {
    return error instanceof GcsDeadlineExceeded ? error : new BackendError(`${what}: ${errorMessage(error)}`, { cause: error });
  }
}

/** A storage call that did not end within its deadline; its message names the call. */
class GcsDeadlineExceeded extends BackendError {}
