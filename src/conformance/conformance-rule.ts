import { type AnswerExpectation, firstProblem } from './answer-expectations.js';
import type { ConformanceAnswer, ConformanceRequest, Exchange } from './http-exchange.js';

/** The outcome of one rule: met, broken, or not checkable against this service. */
export type ConformanceOutcome = 'PASS' | 'FAIL' | 'SKIP';

/** A rule's outcome and the exchange it was decided on. */
export interface RuleVerdict {
  readonly outcome: ConformanceOutcome;
  /** Why it failed or was skipped. */
  readonly reason?: string;
  /** The request and answer that decided the outcome. */
  readonly exchange?: Exchange;
}

/** What a rule's check may use: the service, and what this run has seen so far. */
export interface RuleContext {
  /** Sends a request to the service under test; never throws. */
  send(request: ConformanceRequest): Promise<Exchange>;
  /** Every exchange of this run so far, in order. */
  readonly exchanges: readonly Exchange[];
  /** The service's body limit; the oversized body is one byte over it. */
  readonly bodyLimitBytes: number;
  /** Unique to this run, so names of absent and created resources never meet real ones. */
  readonly token: string;
  /** When the run started, for the times of a schedule definition. */
  readonly startedAt: Date;
}

/** One rule of the operator's contract that a black box can check over HTTP. */
export interface ConformanceRule {
  /** Stable kebab-case name, printed in the report and accepted by `--only`. */
  readonly name: string;
  /** The rule, in one sentence. */
  readonly statement: string;
  /** True when the check creates real resources on the backend (opt-in). */
  readonly mutating: boolean;
  check(context: RuleContext): Promise<RuleVerdict>;
}

/** A PASS or FAIL for `exchange` by `expectations`; no answer at all is a FAIL. */
export function verdictOf(exchange: Exchange, expectations: readonly AnswerExpectation[]): RuleVerdict {
  if (!exchange.answer) return { outcome: 'FAIL', reason: `no answer: ${exchange.failure ?? 'unknown failure'}`, exchange };
  const problem = firstProblem(exchange.answer, expectations);
  return problem === undefined ? { outcome: 'PASS', exchange } : { outcome: 'FAIL', reason: problem, exchange };
}

/** A request and what its answer must satisfy. */
export interface RuleStep {
  readonly request: ConformanceRequest;
  readonly expect: readonly AnswerExpectation[];
}

/**
 * Sends the steps in order and stops at the first one that fails; the verdict carries that
 * step's exchange, or the last one's when all pass.
 */
export async function runSteps(context: RuleContext, steps: readonly RuleStep[]): Promise<RuleVerdict> {
  let verdict: RuleVerdict = { outcome: 'SKIP', reason: 'no steps' };
  for (const [index, step] of steps.entries()) {
    verdict = verdictOf(await context.send(step.request), step.expect);
    if (verdict.outcome === 'FAIL') return { ...verdict, reason: `step ${index + 1} of ${steps.length}: ${verdict.reason ?? ''}` };
  }
  return verdict;
}

/** A rule decided by one request and its answer. */
export function answerRule(
  name: string,
  statement: string,
  request: (context: RuleContext) => ConformanceRequest,
  ...expectations: readonly AnswerExpectation[]
): ConformanceRule {
  return {
    name,
    statement,
    mutating: false,
    check: async (context) => verdictOf(await context.send(request(context)), expectations),
  };
}

/**
 * A rule decided by one request whose answer must first make the rule applicable: `skipWhen`
 * says why an answer cannot be judged by this rule (the outcome is then SKIP), or `undefined`.
 */
export function conditionalAnswerRule(
  name: string,
  statement: string,
  request: (context: RuleContext) => ConformanceRequest,
  skipWhen: (answer: ConformanceAnswer) => string | undefined,
  expect: (context: RuleContext) => readonly AnswerExpectation[],
): ConformanceRule {
  return {
    name,
    statement,
    mutating: false,
    check: async (context) => {
      const exchange = await context.send(request(context));
      const skip = exchange.answer ? skipWhen(exchange.answer) : undefined;
      return skip === undefined ? verdictOf(exchange, expect(context)) : { outcome: 'SKIP', reason: skip, exchange };
    },
  };
}
