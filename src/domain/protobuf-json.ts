import { isJsonObject } from './json-fields.js';

// The members of `google.protobuf.Value`, lowerCamel as protobufjs names them by default and
// snake_case as a loader with `keepCase` (ML Metadata's) names them; `nullValue` last, so that
// without `kind` an enum default cannot hide the member actually set.
const valueKinds = [
  ['structValue', 'struct_value'],
  ['listValue', 'list_value'],
  ['numberValue', 'number_value'],
  ['stringValue', 'string_value'],
  ['boolValue', 'bool_value'],
  ['nullValue', 'null_value'],
] as const;

type ValueKind = (typeof valueKinds)[number][0];

function scalarOfKind(kind: ValueKind, member: unknown): unknown {
  switch (kind) {
    case 'nullValue':
      return null;
    case 'numberValue':
      return typeof member === 'number' ? member : null;
    case 'stringValue':
      return typeof member === 'string' ? member : null;
    case 'boolValue':
      return typeof member === 'boolean' ? member : null;
    case 'structValue':
      return protobufStructToJson(member);
    case 'listValue':
      return isJsonObject(member) && Array.isArray(member['values']) ? member['values'].map(protobufValueToJson) : [];
  }
}

/**
 * A decoded `google.protobuf.Value` as plain JSON, whatever the decoder: lowerCamel or snake_case
 * members, with or without the `kind` oneof name. When `kind` is there it alone decides, because
 * a decoder with defaults on also fills the other members (`numberValue: 0`, `stringValue: ''`).
 * Anything unreadable is `null`.
 */
export function protobufValueToJson(value: unknown): unknown {
  if (!isJsonObject(value)) return null;
  const kind = value['kind'];
  for (const [camel, snake] of valueKinds) {
    if (typeof kind === 'string') {
      if (kind === camel || kind === snake) return scalarOfKind(camel, value[camel] ?? value[snake]);
      continue;
    }
    const member = value[camel] ?? value[snake];
    if (member !== undefined && member !== null) return scalarOfKind(camel, member);
  }
  return null;
}

/** A decoded `google.protobuf.Struct` (`{fields: {key: Value}}`) as a plain JSON object; `{}` when absent. */
export function protobufStructToJson(struct: unknown): Record<string, unknown> {
  const fields = isJsonObject(struct) && isJsonObject(struct['fields']) ? struct['fields'] : {};
  return Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, protobufValueToJson(value)]));
}
