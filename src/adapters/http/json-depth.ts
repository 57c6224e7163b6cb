/**
 * Whether a parsed JSON value nests objects and arrays deeper than `limit` levels (the value
 * itself, when an object or array, is level 1), counted as {@link JsonShapeScanner} counts them
 * in the text. It walks only objects and arrays, without recursion, and stops at the first level
 * too many.
 */
export function exceedsJsonDepth(value: unknown, limit: number): boolean {
  const containers: object[] = [];
  const depths: number[] = [];
  if (typeof value === 'object' && value !== null) {
    containers.push(value);
    depths.push(1);
  }
  for (let container = containers.pop(); container !== undefined; container = containers.pop()) {
    const depth = depths.pop()!;
    if (depth > limit) return true;
    const children: unknown[] = Array.isArray(container) ? container : Object.values(container);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) {
        containers.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}
