import type { google } from '@google-cloud/aiplatform/build/protos/protos.js';

type ProtoValue = google.protobuf.IValue;
type ProtoStruct = google.protobuf.IStruct;
type ProtoTimestamp = google.protobuf.ITimestamp;

// The gRPC client encodes with protobufjs `fromObject`, which silently turns a plain object into
// an empty Struct and a Date into epoch 0: every Struct, Value and Timestamp must be built here.
// Decoding a Struct back is the domain's `protobufStructToJson`.

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
