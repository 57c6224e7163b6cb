import { abortableWait } from './abortable-wait.js';

/** Waits `ms` milliseconds; resolves early (to `false`) when `signal` aborts, else to `true`. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return abortableWait(elapsed, signal, () => clearTimeout(timer));
}
