import type { ConformanceAnswer } from './http-exchange.js';

/** Checks one property of an answer: `undefined` when it holds, otherwise what was wrong. */
export type AnswerExpectation = (answer: ConformanceAnswer) => string | undefined;

function field(answer: ConformanceAnswer, name: string): unknown {
  const body = answer.json;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>)[name] : undefined;
}

function quoted(value: unknown): string {
  return value === undefined ? 'none' : JSON.stringify(value);
}

/** The status is one of `statuses`. */
export function statusIs(...statuses: readonly number[]): AnswerExpectation {
  return (answer) => (statuses.includes(answer.status) ? undefined : `expected status ${statuses.join(' or ')}, got ${answer.status}`);
}

/** The status is 2xx. */
export const statusIsSuccess: AnswerExpectation = (answer) =>
  answer.status >= 200 && answer.status < 300 ? undefined : `expected a 2xx status, got ${answer.status}`;

/** The status is 2xx or one of `statuses`. */
export function statusIsSuccessOr(...statuses: readonly number[]): AnswerExpectation {
  return (answer) =>
    statusIsSuccess(answer) === undefined || statuses.includes(answer.status)
      ? undefined
      : `expected a 2xx status or ${statuses.join(' or ')}, got ${answer.status}`;
}

/** The status is an error (4xx or 5xx). */
export const statusIsError: AnswerExpectation = (answer) =>
  answer.status >= 400 ? undefined : `expected an error answer (4xx or 5xx), got ${answer.status}`;

/** The body is JSON. */
export const bodyIsJson: AnswerExpectation = (answer) =>
  answer.isJson ? undefined : `expected a JSON body, got ${answer.contentType ?? 'no content type'} that does not parse as JSON`;

/** The body is a JSON object with a non-empty string `providerError`, what the operator reads. */
export const hasProviderError: AnswerExpectation = (answer) => {
  const notJson = bodyIsJson(answer);
  if (notJson !== undefined) return notJson;
  const error = field(answer, 'providerError');
  return typeof error === 'string' && error !== '' ? undefined : `expected a non-empty string "providerError", got ${quoted(error)}`;
};

/** An error answer (4xx or 5xx) carries a `providerError`; a success may carry anything. */
export const errorHasProviderError: AnswerExpectation = (answer) => (answer.status >= 400 ? hasProviderError(answer) : undefined);

/** The body's `id` is exactly `id`. */
export function hasId(id: string): AnswerExpectation {
  return (answer) => {
    const actual = field(answer, 'id');
    return actual === id ? undefined : `expected "id" ${JSON.stringify(id)}, got ${quoted(actual)}`;
  };
}

/** The body's `id` is a non-empty string. */
export const hasSomeId: AnswerExpectation = (answer) => {
  const actual = field(answer, 'id');
  return typeof actual === 'string' && actual !== '' ? undefined : `expected a non-empty string "id", got ${quoted(actual)}`;
};

/** The body has no `id` field. */
export const hasNoId: AnswerExpectation = (answer) => {
  const actual = field(answer, 'id');
  return actual === undefined ? undefined : `expected no "id", got ${quoted(actual)}`;
};

/** The body is exactly the JSON object `{}`. */
export const bodyIsEmptyObject: AnswerExpectation = (answer) => {
  const body = answer.json;
  const empty = answer.isJson && typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0;
  return empty ? undefined : `expected exactly {}, got ${answer.isJson ? JSON.stringify(body) : 'a body that is not JSON'}`;
};

/** The first expectation that does not hold, or `undefined` when all do. */
export function firstProblem(answer: ConformanceAnswer, expectations: readonly AnswerExpectation[]): string | undefined {
  for (const expectation of expectations) {
    const problem = expectation(answer);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** The `id` of a JSON answer, when it is a string. */
export function idOf(answer: ConformanceAnswer): string | undefined {
  const id = field(answer, 'id');
  return typeof id === 'string' ? id : undefined;
}
