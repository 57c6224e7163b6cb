// A key JSON.parse makes an own property, but that reads as the object's prototype.
const protoKey = '__proto__';

/**
 * Whether a parsed JSON value nests objects and arrays deeper than `limit` levels (the value
 * itself, when an object or array, is level 1), counted as {@link JsonShapeScanner} counts them
 * in the text. It walks only objects and arrays, without recursion, and stops at the first level
 * too many.
 */
export function exceedsJsonDepth(value: unknown, limit: number): boolean {
  const containers: unknown[] = [value];
  const depths: number[] = [1];
  const visit = (child: unknown, depth: number): void => {
    if (typeof child === 'object' && child !== null) {
      containers.push(child);
      depths.push(depth);
    }
  };
  for (let container = containers.pop(); container !== undefined; container = containers.pop()) {
    const depth = depths.pop()!;
    if (typeof container !== 'object' || container === null) continue;
    if (depth > limit) return true;
    if (Array.isArray(container)) {
      for (const child of container as unknown[]) visit(child, depth + 1);
      continue;
    }
    // for…in rather than Object.values: no array per object, a third of the time.
    for (const key in container) {
      visit(
        key === protoKey ? Object.getOwnPropertyDescriptor(container, key)?.value : (container as Record<string, unknown>)[key],
        depth + 1,
      );
    }
  }
  return false;
}
