import { type JsonObject, isJsonObject } from '../json-fields.js';

/** What a relayed payload turned out to hold. */
export type RelayedWorkflow =
  /** A Workflow object, with the relay's event id when the payload carried one. */
  | { readonly kind: 'workflow'; readonly workflow: JsonObject; readonly eventId?: string }
  /** A well-formed event that is not about a workflow's current state (a deletion). */
  | { readonly kind: 'ignore'; readonly reason: string }
  /** Nothing a relay could have meant. */
  | { readonly kind: 'invalid'; readonly reason: string };

const maxNesting = 6;

function decodeBase64Utf8(text: string): string | undefined {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text.replace(/\s+/g, ''))) return undefined;
  try {
    const binary = atob(text.replace(/\s+/g, '').replaceAll('-', '+').replaceAll('_', '/'));
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

function parseText(text: string, base64Allowed: boolean): unknown {
  const trimmed = text.trim();
  const decoded = base64Allowed && !/^[[{"]/.test(trimmed) ? decodeBase64Utf8(trimmed) : trimmed;
  if (decoded === undefined) return undefined;
  try {
    return JSON.parse(decoded);
  } catch {
    return undefined;
  }
}

function isWorkflowObject(value: JsonObject): boolean {
  if (value['kind'] === 'Workflow') return true;
  const metadata = value['metadata'];
  return isJsonObject(metadata) && typeof metadata['name'] === 'string' && value['data'] === undefined && value['body'] === undefined;
}

function eventIdOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function unwrap(payload: unknown, eventId: string | undefined, depth: number, base64Allowed: boolean): RelayedWorkflow {
  if (depth > maxNesting) return { kind: 'invalid', reason: 'the payload nests wrappers too deeply' };
  if (typeof payload === 'string') {
    const parsed = parseText(payload, base64Allowed);
    if (parsed === undefined) return { kind: 'invalid', reason: 'the payload is text that is neither JSON nor base64-encoded JSON' };
    return unwrap(parsed, eventId, depth + 1, false);
  }
  if (!isJsonObject(payload)) return { kind: 'invalid', reason: 'the payload is not a JSON object' };
  if (isWorkflowObject(payload)) return { kind: 'workflow', workflow: payload, ...(eventId ? { eventId } : {}) };
  // A CloudEvent in structured mode: data inline, or base64 in data_base64.
  if (typeof payload['specversion'] === 'string') {
    const id = eventIdOf(payload['id']) ?? eventId;
    if (typeof payload['data_base64'] === 'string') return unwrap(payload['data_base64'], id, depth + 1, true);
    if (payload['data'] === undefined) return { kind: 'invalid', reason: 'the CloudEvent carries no data' };
    return unwrap(payload['data'], id, depth + 1, false);
  }
  // The whole Argo event as a sensor serialises it: {context, data: "<base64>"}.
  if (isJsonObject(payload['context']) && payload['data'] !== undefined) {
    return unwrap(payload['data'], eventIdOf(payload['context']['id']) ?? eventId, depth + 1, true);
  }
  // The data of an Argo Events resource event: {type, body, oldBody, group, version, resource}.
  if (payload['body'] !== undefined) {
    if (payload['type'] === 'DELETE') return { kind: 'ignore', reason: 'a DELETE event: the workflow was deleted or left the selection' };
    return unwrap(payload['body'], eventId, depth + 1, false);
  }
  // A trigger that placed the workflow under `workflow` (and the event type under `eventType`).
  if (payload['workflow'] !== undefined) {
    if (payload['eventType'] === 'DELETE')
      return { kind: 'ignore', reason: 'a DELETE event: the workflow was deleted or left the selection' };
    return unwrap(payload['workflow'], eventId, depth + 1, false);
  }
  return { kind: 'invalid', reason: 'the payload is neither a Workflow, an Argo Events resource event, an Argo event nor a CloudEvent' };
}

/**
 * Finds the Workflow object in what an Argo Events sensor (or another relay) sent: the Workflow
 * itself, the workflow as a JSON string, the resource event data `{type, body, …}`, a trigger body
 * `{eventType, workflow}`, the whole Argo event `{context, data: base64}`, or a structured-mode
 * CloudEvent (`data` or `data_base64`). A plain Workflow object is returned unchanged, so the same
 * rule serves the watch source too.
 */
export function unwrapRelayedWorkflow(payload: unknown): RelayedWorkflow {
  return unwrap(payload, undefined, 0, false);
}
