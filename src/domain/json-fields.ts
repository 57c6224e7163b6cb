import { InvalidInputError } from './errors.js';

/** A JSON object as decoded from a request or event body. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// JSON null is treated as "absent" throughout: the operator's Go encoder writes null for nil
// maps and slices, and a missing optional field takes its empty value.

/** Reads a required object (the body itself, or a nested field). */
export function requireObject(value: unknown, path: string): JsonObject {
  if (!isJsonObject(value)) throw new InvalidInputError(`${path} must be a JSON object`);
  return value;
}

/** Reads an optional object field; absent or null gives `{}`. */
export function optionalObject(source: JsonObject, field: string, path: string): JsonObject {
  const value = source[field];
  if (value === undefined || value === null) return {};
  return requireObject(value, `${path}.${field}`);
}

/** Reads an optional string field; absent or null gives `""`. */
export function optionalString(source: JsonObject, field: string, path: string): string {
  const value = source[field];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new InvalidInputError(`${path}.${field} must be a string`);
  return value;
}

/** Reads an optional array field; absent or null gives `[]`. */
export function optionalArray(source: JsonObject, field: string, path: string): readonly unknown[] {
  const value = source[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InvalidInputError(`${path}.${field} must be an array`);
  return value;
}

/** Reads an optional map of strings; absent or null gives `{}`. */
export function optionalStringMap(source: JsonObject, field: string, path: string): Record<string, string> {
  const object = optionalObject(source, field, path);
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(object)) {
    if (typeof value !== 'string') throw new InvalidInputError(`${path}.${field}.${key} must be a string`);
    result[key] = value;
  }
  return result;
}
