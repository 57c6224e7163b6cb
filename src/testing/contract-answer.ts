import assert from 'node:assert/strict';
import type { ProviderService } from '../composition/create-provider-service.js';
import type { ResourceType } from '../ports/provider.js';

// The requests of the provider contract suite and the checks of their answers, worded so that a
// failure shows the whole answer.

/** What the contract suite sees of an answer: its status and its JSON object body. */
export interface ContractAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** Sends one request to the service; fails the test unless the answer is a JSON object. */
export async function sendRequest(
  service: ProviderService,
  method: string,
  path: string,
  body?: unknown,
  rawBody?: string,
): Promise<ContractAnswer> {
  const response = await fetch(`${service.url}${path}`, {
    method,
    ...(body !== undefined || rawBody !== undefined
      ? { headers: { 'content-type': 'application/json' }, body: rawBody ?? JSON.stringify(body) }
      : {}),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    assert.fail(`${method} ${path} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  assert.ok(
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed),
    `${method} ${path}: the body must be a JSON object, got ${text}`,
  );
  return { status: response.status, body: parsed as Record<string, unknown> };
}

/** Fails the test unless the answer has `status`. */
export function assertStatus(answer: ContractAnswer, status: number, what: string): void {
  // Worded without ": expected", which Mocha's reporter cuts the message at, losing the body.
  assert.equal(answer.status, status, `${what} answered ${answer.status} ${JSON.stringify(answer.body)} where the contract says ${status}`);
}

/** Fails the test unless the answer has `status` and a non-empty `providerError`. */
export function assertProviderError(answer: ContractAnswer, status: number, what: string): void {
  assertStatus(answer, status, what);
  const message = answer.body['providerError'];
  assert.ok(
    typeof message === 'string' && message.length > 0,
    `${what}: providerError must be a non-empty string, got ${JSON.stringify(answer.body)}`,
  );
}

/** Fails the test unless the answer has `status` and a non-empty string `id`, which it returns. */
export function assertId(answer: ContractAnswer, status: number, what: string): string {
  assertStatus(answer, status, what);
  const id = answer.body['id'];
  assert.ok(typeof id === 'string' && id.length > 0, `${what}: id must be a non-empty string, got ${JSON.stringify(answer.body)}`);
  return id;
}

const itemPath = (type: ResourceType, id: string): string => `/resource/${type}/${encodeURIComponent(id)}`;

/**
 * Sends to `/resource/{type}/{id}` with the id percent-encoded, as the operator does. Any error
 * answer must carry that id, decoded: the operator keeps the id of every answer to PUT and
 * DELETE, and one without it makes the operator forget the backend resource.
 */
export async function sendToItem(
  service: ProviderService,
  method: 'PUT' | 'DELETE',
  type: ResourceType,
  id: string,
  body?: unknown,
  rawBody?: string,
): Promise<ContractAnswer> {
  const answer = await sendRequest(service, method, itemPath(type, id), body, rawBody);
  if (answer.status >= 400) {
    assert.equal(
      answer.body['id'],
      id,
      `${method} /resource/${type}/{id} answered ${answer.status} ${JSON.stringify(answer.body)} without the id of its path, "${id}"`,
    );
  }
  return answer;
}
