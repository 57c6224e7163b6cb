import { type KubeConfig, Watch } from '@kubernetes/client-node';
import { backendErrorStatus } from '../shared/backend-error-status.js';

/** What a {@link SettledWatch} tells about each watch request. */
export interface WatchConnectionListener {
  /** The API server answered 200: events stream from here on. */
  connected(): void;
  /** The request failed before the API server answered 200: it cannot be reached, or refused. */
  failed(error: unknown): void;
}

/**
 * client-node's watch, telling whether each request connected, and never throwing.
 *
 * client-node's watch throws before its own error handling when there is no current cluster or
 * the credentials cannot be had (e.g. a failing exec plugin). The informer calls it from its
 * done-callback without awaiting, so that throw would be an unhandled rejection that ends the
 * process; here it is reported through `done` instead, which reaches the informer's error handlers.
 *
 * A watch that ends after it connected (the API server closes watches now and then, and
 * client-node ends one that stays silent for 30 s) is no connection failure; a 410 Gone answer
 * to a resumption is none either (the informer lists again).
 */
export class SettledWatch extends Watch {
  readonly #listener: WatchConnectionListener;

  constructor(config: KubeConfig, listener: WatchConnectionListener) {
    super(config);
    this.#listener = listener;
  }

  override async watch(...args: Parameters<Watch['watch']>): Promise<AbortController> {
    const [path, query, callback, done] = args;
    let answered = false;
    let ended = false;
    const settle = (error: unknown): void => {
      ended = true;
      if (!answered && error && backendErrorStatus(error) !== 410) this.#listener.failed(error);
      done(error);
    };
    try {
      const controller = await super.watch(path, query, callback, settle);
      // client-node calls done before it returns when the request fails: still open means answered.
      if (!ended) {
        answered = true;
        this.#listener.connected();
      }
      return controller;
    } catch (error) {
      settle(error);
      return new AbortController();
    }
  }
}
