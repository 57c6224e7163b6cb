/** A parsed semantic version; only what ordering needs. */
export interface LenientSemver {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Dot-separated pre-release identifiers; empty for a release. */
  readonly preRelease: readonly string[];
}

const pattern = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Parses a version the way the reference service's tolerant parser does: surrounding spaces and
 * a `v` prefix are accepted and a missing minor or patch is 0. `undefined` when it is no version.
 */
export function parseLenientSemver(text: string): LenientSemver | undefined {
  const match = pattern.exec(text.trim());
  if (!match) return undefined;
  const [, major = '0', minor = '0', patch = '0', preRelease] = match;
  return { major: Number(major), minor: Number(minor), patch: Number(patch), preRelease: preRelease ? preRelease.split('.') : [] };
}

function compareIdentifiers(a: string, b: string): number {
  const numericA = /^\d+$/.test(a);
  const numericB = /^\d+$/.test(b);
  if (numericA && numericB) return Math.sign(Number(a) - Number(b));
  if (numericA !== numericB) return numericA ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Semantic version precedence: negative, zero or positive; a pre-release ranks below its release. */
export function compareSemver(a: LenientSemver, b: LenientSemver): number {
  const core = Math.sign(a.major - b.major) || Math.sign(a.minor - b.minor) || Math.sign(a.patch - b.patch);
  if (core !== 0) return core;
  if (a.preRelease.length === 0 || b.preRelease.length === 0) return Math.sign(b.preRelease.length - a.preRelease.length);
  for (let index = 0; index < Math.min(a.preRelease.length, b.preRelease.length); index += 1) {
    const order = compareIdentifiers(a.preRelease[index] ?? '', b.preRelease[index] ?? '');
    if (order !== 0) return order;
  }
  return Math.sign(a.preRelease.length - b.preRelease.length);
}
