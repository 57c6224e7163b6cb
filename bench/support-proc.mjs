// /proc readings for the benchmarks that bench/support.mjs does not have.
import { readFileSync } from 'node:fs';

/** The largest resident set size a process has had so far (VmHWM), in MiB. */
export function peakRssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}
