/**
 * Waits for `work` unless `signal` aborts first. Resolves to `true` once `work` resolves (and
 * rejects if it rejects), or to `false` as soon as the signal aborts, at once when it already
 * has. On an abort, `abandon` runs once, to undo what `work` holds or is still going to acquire:
 * clear its timer, give back a slot once the slot is granted.
 */
export async function abortableWait(work: Promise<unknown>, signal: AbortSignal, abandon: () => void = () => undefined): Promise<boolean> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<false>((resolve) => {
    onAbort = () => resolve(false);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const finished = await Promise.race([aborted, work.then(() => true)]);
    if (!finished) abandon();
    return finished;
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
