import { type KubeConfig, Watch } from '@kubernetes/client-node';
import { backendErrorStatus } from '../shared/backend-error-status.js';

/** What a {@link SettledWatch} asks and tells about each watch request. */
export interface SettledWatchHooks {
  /** True once the watching source stopped: no watch is opened any more. */
  stopped(): boolean;
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
 * The informer also reconnects after its reconnect delay without looking whether it was stopped
 * meanwhile, so a stopped source opens no watch, and one connected while it stopped is closed.
 *
 * A watch that ends after it connected (the API server closes watches now and then, and
 * client-node ends one that stays silent for 30 s) is no connection failure; a 410 Gone answer
 * to a resumption is none either (the informer lists again).
 */
export class SettledWatch extends Watch {
  readonly #hooks: SettledWatchHooks;

  constructor(config: KubeConfig, hooks: SettledWatchHooks) {
    super(config);
    this.#hooks = hooks;
  }

  override async watch(...args: Parameters<Watch['watch']>): Promise<AbortController> {
    if (this.#hooks.stopped()) return new AbortController();
    const [path, query, callback, done] = args;
    let answered = false;
    let ended = false;
    const settle = (error: unknown): void => {
      ended = true;
      if (!answered && error && backendErrorStatus(error) !== 410) this.#hooks.failed(error);
      done(error);
    };
    try {
      const request = await super.watch(path, query, callback, settle);
      if (this.#hooks.stopped()) {
        request.abort();
        return request;
      }
      // client-node calls done before it returns when the request fails: still open means answered.
      if (!ended) {
        answered = true;
        this.#hooks.connected();
      }
      return request;
    } catch (error) {
      settle(error);
      return new AbortController();
    }
  }
}
