import { randomBytes } from 'node:crypto';
import { type ConformanceOutcome, type ConformanceRule, type RuleContext } from './conformance-rule.js';
import { conformanceRules } from './conformance-rules.js';
import { type Exchange, sendExchange } from './http-exchange.js';

/** The body limit the contract sets by default (SPEC §6): 32 MiB. */
export const defaultConformanceBodyLimitBytes = 32 * 1024 * 1024;

/** How long one request may go without progress; generous, because the oversized body is 32 MiB. */
export const defaultConformanceTimeoutMs = 30_000;

/** What {@link runConformance} checks, and how. */
export interface ConformanceOptions {
  /** The provider service's base URL (`http://host:port`, optionally with a path prefix). */
  readonly baseUrl: string | URL;
  /** Also run the rules that create, update and delete real resources on the backend (default false). */
  readonly mutating?: boolean;
  /** The service's configured body limit; the oversized request is one byte over it. Default 32 MiB. */
  readonly bodyLimitBytes?: number;
  /** Per-request inactivity timeout in milliseconds. Default 30 s. */
  readonly timeoutMs?: number;
  /** Run only the rules with these names (each must be in the selected set). */
  readonly only?: readonly string[];
  /** Called with each result as soon as its rule is decided, e.g. to print progress. */
  readonly onResult?: (result: ConformanceResult) => void;
}

/** The outcome of one rule against the service. */
export interface ConformanceResult {
  /** The rule's stable name. */
  readonly rule: string;
  /** The rule, in one sentence. */
  readonly statement: string;
  readonly outcome: ConformanceOutcome;
  /** Why it failed or was skipped (or, for a rule without a request of its own, what it saw). */
  readonly reason?: string;
  /** The request and answer that decided the outcome. */
  readonly exchange?: Exchange;
}

/** Everything a conformance run found. */
export interface ConformanceReport {
  readonly baseUrl: string;
  readonly results: readonly ConformanceResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** One rule of the suite as `--help` lists it. */
export interface ConformanceRuleInfo {
  readonly name: string;
  readonly statement: string;
  /** True when it creates real resources and only runs when asked to (`mutating`). */
  readonly mutating: boolean;
}

/** Every rule of the suite, in the order they run. */
export function listConformanceRules(): readonly ConformanceRuleInfo[] {
  return conformanceRules.map(({ name, statement, mutating }) => ({ name, statement, mutating }));
}

/** Parses and checks a base URL: `http:` or `https:`, no query or fragment. Throws a `TypeError` otherwise. */
export function parseConformanceBaseUrl(baseUrl: string | URL): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`"${String(baseUrl)}" is not a URL; expected one like http://localhost:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`"${String(baseUrl)}" is not an http or https URL; expected one like http://localhost:8080`);
  }
  if (url.search !== '' || url.hash !== '') throw new TypeError(`"${String(baseUrl)}" has a query or fragment; give only the base URL`);
  return url;
}

interface ResolvedOptions {
  readonly base: URL;
  readonly bodyLimitBytes: number;
  readonly timeoutMs: number;
  readonly rules: readonly ConformanceRule[];
}

function selectRules(options: ConformanceOptions): readonly ConformanceRule[] {
  const available = conformanceRules.filter((rule) => options.mutating || !rule.mutating);
  if (options.only === undefined) return available;
  for (const name of options.only) {
    if (available.some((rule) => rule.name === name)) continue;
    const mutating = conformanceRules.some((rule) => rule.name === name && rule.mutating);
    throw new TypeError(
      mutating
        ? `rule "${name}" creates backend resources; it runs only with the mutating option (--mutating)`
        : `there is no rule "${name}"`,
    );
  }
  return available.filter((rule) => options.only?.includes(rule.name));
}

function resolveOptions(options: ConformanceOptions): ResolvedOptions {
  const base = parseConformanceBaseUrl(options.baseUrl);
  const bodyLimitBytes = options.bodyLimitBytes ?? defaultConformanceBodyLimitBytes;
  if (!Number.isSafeInteger(bodyLimitBytes) || bodyLimitBytes < 0) throw new TypeError('bodyLimitBytes must be a whole number of bytes');
  const timeoutMs = options.timeoutMs ?? defaultConformanceTimeoutMs;
  if (!(timeoutMs > 0)) throw new TypeError('timeoutMs must be positive');
  return { base, bodyLimitBytes, timeoutMs, rules: selectRules(options) };
}

/** Throws the `TypeError` {@link runConformance} would throw for these options, without sending anything. */
export function validateConformanceOptions(options: ConformanceOptions): void {
  resolveOptions(options);
}

function count(results: readonly ConformanceResult[], outcome: ConformanceOutcome): number {
  return results.filter((result) => result.outcome === outcome).length;
}

/**
 * Runs the operator's contract against a provider service over HTTP: each rule sends its
 * requests and judges the answers, one after the other. It never throws for what the service
 * does (a refused connection is a failed rule); it throws a `TypeError` for invalid options.
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const { base, bodyLimitBytes, timeoutMs, rules } = resolveOptions(options);
  const exchanges: Exchange[] = [];
  const context: RuleContext = {
    send: async (request) => {
      const exchange = await sendExchange(base, request, timeoutMs);
      exchanges.push(exchange);
      return exchange;
    },
    exchanges,
    bodyLimitBytes,
    token: randomBytes(4).toString('hex'),
    startedAt: new Date(),
  };
  const results: ConformanceResult[] = [];
  for (const rule of rules) {
    const verdict = await rule.check(context).catch((error: unknown) => ({
      outcome: 'FAIL' as const,
      reason: `the check itself failed: ${error instanceof Error ? error.message : String(error)}`,
    }));
    const result: ConformanceResult = { rule: rule.name, statement: rule.statement, ...verdict };
    results.push(result);
    options.onResult?.(result);
  }
  return { baseUrl: base.href, results, passed: count(results, 'PASS'), failed: count(results, 'FAIL'), skipped: count(results, 'SKIP') };
}
