/** An async resource opened on first use, shared by every later use, and closable. */
export interface OnFirstUse<T> {
  /** The resource, opened now if this is the first call (or the last opening failed). */
  get(): Promise<T>;
  /** Closes the resource if it was ever opened; a second call does nothing. */
  close(): Promise<void>;
}

/**
 * Defers building something expensive or fallible (cloud clients and their protocol
 * definitions, a client that first reads a token file) until it is first needed, and shares it
 * between everything that needs it. A failed opening is not remembered: the next use tries
 * again, so a dependency that was down at the first use does not stay broken for the process's
 * lifetime. `close` releases the resource; it defaults to nothing for resources that hold none.
 */
export function onFirstUse<T>(open: () => Promise<T>, close: (value: T) => Promise<void> = async () => undefined): OnFirstUse<T> {
  let value: Promise<T> | undefined;
  return {
    get: () => {
      value ??= open().catch((error: unknown) => {
        value = undefined;
        throw error;
      });
      return value;
    },
    close: async () => {
      const opened = value;
      value = undefined;
      const resource = await opened?.catch(() => undefined);
      if (resource !== undefined) await close(resource);
    },
  };
}
