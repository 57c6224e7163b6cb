import type { Bucket } from '@google-cloud/storage';
import { errorMessage } from '../../domain/error-message.js';
import { BackendError } from '../../domain/errors.js';
import { backendErrorStatus } from '../shared/backend-error-status.js';

/**
 * Compiled pipelines as objects in one GCS bucket. Object paths come from the domain; this class
 * only moves bytes and turns storage failures into {@link BackendError}s that say what failed.
 */
export class GcsPipelineStore {
  readonly #bucket: () => Promise<Bucket>;
  readonly #bucketName: string;

  /** `bucket` is asked for on each call, so the storage client can be built on first use. */
  constructor(bucketName: string, bucket: () => Promise<Bucket>) {
    this.#bucketName = bucketName;
    this.#bucket = bucket;
  }

  /** Writes (or overwrites) the object at `path` with the JSON text of `value`. */
  async write(path: string, value: unknown): Promise<void> {
    // An absent compiled pipeline is stored as an empty (zero-byte) object, as the reference
    // service does; reading it back is then not valid JSON, so running it fails with a message
    // naming the pipeline.
    const text = value === undefined || value === null ? '' : JSON.stringify(value);
    try {
      await (await this.#bucket()).file(path).save(text, { resumable: false, contentType: 'application/json' });
    } catch (error) {
      throw new BackendError(`storing gs://${this.#bucketName}/${path} failed: ${errorMessage(error)}`, { cause: error });
    }
  }

  /** Reads and parses the object at `path`; `describedAs` names it in errors (pipeline and version). */
  async read(path: string, describedAs: string): Promise<unknown> {
    let bytes: Buffer;
    try {
      [bytes] = await (await this.#bucket()).file(path).download();
    } catch (error) {
      if (backendErrorStatus(error) === 404) {
        throw new BackendError(`${describedAs} is not stored: gs://${this.#bucketName}/${path} does not exist`, { cause: error });
      }
      throw new BackendError(`reading ${describedAs} from gs://${this.#bucketName}/${path} failed: ${errorMessage(error)}`, {
        cause: error,
      });
    }
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      throw new BackendError(`${describedAs} at gs://${this.#bucketName}/${path} is not valid JSON`, { cause: error });
    }
  }

  /** Deletes every object under `prefix`; nothing there is success, the first failure aborts. */
  async deletePrefix(prefix: string): Promise<void> {
    try {
      const [files] = await (await this.#bucket()).getFiles({ prefix });
      for (const file of files) await file.delete({ ignoreNotFound: true });
    } catch (error) {
      throw new BackendError(`deleting gs://${this.#bucketName}/${prefix}* failed: ${errorMessage(error)}`, { cause: error });
    }
  }
}
