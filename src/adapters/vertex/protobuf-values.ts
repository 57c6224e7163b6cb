import type { google } from '@google-cloud/aiplatform/build/protos/protos.js';

type ProtoValue = google.protobuf.IValue;
type ProtoStruct = google.protobuf.IStruct;
type ProtoTimestamp = google.protobuf.ITimestamp;

// The gRPC client encodes with protobufjs `fromObject`, which silently turns a plain object into
// an empty Struct and a Date into epoch 0: every Struct, Value and Timestamp must be built here.

/** A JSON value as a `google.protobuf.Value`. */
export function toProtoValue(value: unknown): ProtoValue {
  if (value === null || value === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(toProtoValue) } };
  return { structValue: toProtoStruct(value as Record<string, unknown>) };
}

/** A JSON object as a `google.protobuf.Struct`. */
export function toProtoStruct(object: Readonly<Record<string, unknown>>): ProtoStruct {
  const fields: Record<string, ProtoValue> = {};
  for (const [key, value] of Object.entries(object)) fields[key] = toProtoValue(value);
  return { fields };
}

/** A decoded `google.protobuf.Value` back to JSON, whether or not the decoder set `kind`. */
export function fromProtoValue(value: ProtoValue | null | undefined): unknown {
  if (!value) return null;
  const kind = (value as { kind?: string }).kind;
  if ((kind === undefined || kind === 'stringValue') && typeof value.stringValue === 'string') return value.stringValue;
  if ((kind === undefined || kind === 'numberValue') && typeof value.numberValue === 'number') return value.numberValue;
  if ((kind === undefined || kind === 'boolValue') && typeof value.boolValue === 'boolean') return value.boolValue;
  if ((kind === undefined || kind === 'structValue') && value.structValue) return fromProtoStruct(value.structValue);
  if ((kind === undefined || kind === 'listValue') && value.listValue) return (value.listValue.values ?? []).map(fromProtoValue);
  return null;
}

/** A decoded `google.protobuf.Struct` back to a JSON object; `{}` when absent. */
export function fromProtoStruct(struct: ProtoStruct | null | undefined): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(struct?.fields ?? {})) result[key] = fromProtoValue(value);
  return result;
}

/** A Date as a `google.protobuf.Timestamp`. */
export function toProtoTimestamp(date: Date): ProtoTimestamp {
  const millis = date.getTime();
  const seconds = Math.floor(millis / 1000);
  return { seconds, nanos: (millis - seconds * 1000) * 1_000_000 };
}

/** A decoded Timestamp as a Date (millisecond precision); `undefined` when unset. */
export function fromProtoTimestamp(timestamp: ProtoTimestamp | null | undefined): Date | undefined {
  if (!timestamp || timestamp.seconds === null || timestamp.seconds === undefined) return undefined;
  return new Date(Number(timestamp.seconds.toString()) * 1000 + Math.floor((timestamp.nanos ?? 0) / 1e6));
}
