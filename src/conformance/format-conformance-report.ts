import type { ConformanceRequest, Exchange } from './http-exchange.js';
import { type ConformanceReport, type ConformanceResult, listConformanceRules } from './run-conformance.js';

/** The most characters of a body (sent or received) a report line quotes. */
export const maxExcerptLength = 200;

// The request body's excerpt is shorter: its size and start say what was sent, and the line
// still has the answer to show.
const maxRequestExcerptLength = 60;

const nameWidth = Math.max(...listConformanceRules().map((rule) => rule.name.length));

/** `text` on one line (control characters as spaces), cut to `max` characters with `…`. */
export function excerpt(text: string, max: number = maxExcerptLength): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach the terminal
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function describeRequest(request: ConformanceRequest): string {
  const line = `${request.method} ${request.path}`;
  if (request.body === undefined) return line;
  const start = excerpt(request.body.subarray(0, maxRequestExcerptLength * 4).toString('utf8'), maxRequestExcerptLength);
  return `${line} [${request.contentType ?? 'no content type'}, ${request.body.length} B: ${start}]`;
}

function describeAnswer(exchange: Exchange): string {
  const answer = exchange.answer;
  if (!answer) return `no answer (${exchange.failure ?? 'unknown failure'})`;
  return `${answer.status} ${answer.text === '' ? '(empty body)' : excerpt(answer.text)}`;
}

/**
 * One report line: outcome, rule, the request (method, path, a short body summary), the answer
 * (status, at most 200 characters of the body) and, for a failure or a skip, why.
 */
export function formatConformanceResult(result: ConformanceResult): string {
  const parts: string[] = [result.outcome, result.rule.padEnd(nameWidth)];
  if (result.exchange) parts.push(`${describeRequest(result.exchange.request)} → ${describeAnswer(result.exchange)}`);
  if (result.reason !== undefined) parts.push(`— ${excerpt(result.reason)}`);
  return parts.join('  ');
}

/** The closing line: `N passed, N failed`, and `, N skipped` when any were. */
export function formatConformanceSummary(report: ConformanceReport): string {
  const skipped = report.skipped > 0 ? `, ${report.skipped} skipped` : '';
  return `${report.passed} passed, ${report.failed} failed${skipped}`;
}

/** The whole report: one line per rule, then the summary line, each ending in a newline. */
export function formatConformanceReport(report: ConformanceReport): string {
  return [...report.results.map(formatConformanceResult), formatConformanceSummary(report)].map((line) => `${line}\n`).join('');
}
