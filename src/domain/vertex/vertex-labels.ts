/** Vertex AI's longest label key or value. */
export const maxVertexLabelLength = 63;

// Versions keep their separators as underscores so `0.0.1` and `0.01` stay distinguishable.
const versionLabelKeys: ReadonlySet<string> = new Set(['pipeline-version', 'schema_version', 'sdk_version']);

/**
 * Makes labels acceptable to Vertex AI exactly as the reference service does: lower-case; for
 * version keys every run of other characters in the value becomes one `_`; for all other keys
 * those characters are deleted from key and value; then both are cut to 63 characters. Keys that
 * sanitise to the same key collide and the later one wins.
 */
export function sanitiseVertexLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [rawKey, rawValue] of Object.entries(labels)) {
    const lowerKey = rawKey.toLowerCase();
    const lowerValue = rawValue.toLowerCase();
    const isVersion = versionLabelKeys.has(lowerKey);
    const key = isVersion ? lowerKey : lowerKey.replace(/[^a-z0-9_-]/g, '');
    const value = isVersion ? lowerValue.replace(/[^a-z0-9_-]+/g, '_') : lowerValue.replace(/[^a-z0-9_-]/g, '');
    result[key.slice(0, maxVertexLabelLength)] = value.slice(0, maxVertexLabelLength);
  }
  return result;
}

/**
 * Renders a JSON label value the way Go's `%v` does, since TFX wrappers may carry non-string
 * label values and the reference service formatted them so: `1`, `1.5`, `true`, `1e+06`, `<nil>`.
 */
export function formatGoLabelValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return formatGoFloat(value);
  if (Array.isArray(value)) return `[${value.map(formatGoLabelValue).join(' ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `map[${entries.map(([key, nested]) => `${key}:${formatGoLabelValue(nested)}`).join(' ')}]`;
}

/** Go's shortest `%g`: exponent form below 1e-4 and from 1e+06 (two-digit exponent at least). */
function formatGoFloat(value: number): string {
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return String(value);
}
