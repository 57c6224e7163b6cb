import {
  bodyIsEmptyObject,
  bodyIsJson,
  errorHasProviderError,
  hasId,
  hasNoId,
  hasProviderError,
  idOf,
  statusIs,
  statusIsError,
  statusIsSuccess,
  statusIsSuccessOr,
} from './answer-expectations.js';
import {
  conformanceName,
  experimentDefinition,
  jsonBody,
  oversizedPipelineBody,
  pipelineDefinition,
  post,
  put,
  remove,
  runDefinition,
  scheduleDefinition,
  truncatedJson,
} from './conformance-requests.js';
import {
  answerRule,
  conditionalAnswerRule,
  type ConformanceRule,
  type RuleContext,
  type RuleVerdict,
  runSteps,
  verdictOf,
} from './conformance-rule.js';
import type { ConformanceAnswer, ConformanceRequest } from './http-exchange.js';
import { experimentLifecycle, pipelineLifecycle, runScheduleLifecycle } from './lifecycle-checks.js';

// The operator's contract (SPEC §2 and §6) as far as a black box can check it over HTTP. Every
// rule that is not `mutating` sends only what a conforming service must refuse before calling
// its backend, deletes ids that never existed, or asks for health; the bodies of refused runs
// and schedules name a pipeline that does not exist, so even a service that wrongly accepted
// one could not start anything.

/** The decoded id of absent resources: `kfp-conformance/absent-{token}`. */
const absentId = (context: RuleContext): string => conformanceName(context, 'absent');
/** The same id as the operator sends it in a path: one segment, `/` as `%2F`. */
const absentSegment = (context: RuleContext): string => encodeURIComponent(absentId(context));

const get = (path: string): ConformanceRequest => ({ method: 'GET', path });
const postRun = (context: RuleContext, overrides: Record<string, unknown>): ConformanceRequest =>
  post('run', jsonBody(runDefinition(context, overrides)));
const postSchedule = (context: RuleContext, cron: string): ConformanceRequest =>
  post('runschedule', jsonBody(scheduleDefinition(context, cron)));
const putRun = (context: RuleContext, segment: string): ConformanceRequest => put('run', segment, jsonBody(runDefinition(context)));

function refused(name: string, what: string, request: (context: RuleContext) => ConformanceRequest): ConformanceRule {
  return answerRule(name, `${what} answers 400 with a providerError`, request, statusIs(400), hasProviderError);
}

function mutatingRule(name: string, statement: string, check: (context: RuleContext) => Promise<RuleVerdict>): ConformanceRule {
  return { name, statement, mutating: true, check };
}

const unlessError = (answer: ConformanceAnswer): string | undefined =>
  answer.status < 400 ? `no error answer to inspect: the service answered ${answer.status}` : undefined;

function everyAnswerIsJson(context: RuleContext): RuleVerdict {
  const answered = context.exchanges.filter((exchange) => exchange.answer);
  const offender = answered.find((exchange) => !exchange.answer?.isJson);
  if (offender) return verdictOf(offender, [bodyIsJson]);
  if (answered.length === 0) return { outcome: 'SKIP', reason: 'no answers to inspect' };
  return { outcome: 'PASS', reason: `all ${answered.length} answers of this run were JSON` };
}

/** Every rule, in the order they run; `every-answer-is-json` comes last because it inspects the others' answers. */
export const conformanceRules: readonly ConformanceRule[] = Object.freeze([
  answerRule('livez', 'GET /livez answers 2xx while the process is alive', () => get('/livez'), statusIsSuccess),
  answerRule(
    'readyz',
    'GET /readyz answers 2xx when ready or 503 with a providerError when not, in JSON',
    () => get('/readyz'),
    statusIsSuccessOr(503),
    bodyIsJson,
    errorHasProviderError,
  ),
  answerRule(
    'unknown-route',
    'an unknown route answers 404 with a JSON providerError',
    () => get('/kfp-conformance/no-such-route'),
    statusIs(404),
    hasProviderError,
  ),
  answerRule(
    'unknown-type',
    'a resource type other than pipeline, run, runschedule, experiment answers 404 with a JSON providerError',
    (context) => post('no-such-type', jsonBody(experimentDefinition(absentId(context)))),
    statusIs(404),
    hasProviderError,
  ),
  answerRule(
    'wrong-method',
    'a method a known path does not serve (GET /resource/pipeline) answers 405 with a JSON providerError',
    () => get('/resource/pipeline'),
    statusIs(405),
    hasProviderError,
  ),
  refused('body-not-json', 'a body that is not JSON', () => post('pipeline', truncatedJson)),
  answerRule(
    'post-error-without-id',
    'an error answer to POST carries no id',
    (context) => postRun(context, { name: 'a/b/c' }),
    statusIsError,
    hasNoId,
  ),
  answerRule(
    'content-type-not-json',
    'a body sent as text/plain answers 415 with a providerError',
    () => post('pipeline', jsonBody(pipelineDefinition('')), 'text/plain'),
    statusIs(415),
    hasProviderError,
  ),
  refused('content-type-charset', 'an invalid definition sent as "application/json; charset=utf-8" (a charset is no reason for 415)', () =>
    post('pipeline', jsonBody(pipelineDefinition('')), 'application/json; charset=utf-8'),
  ),
  answerRule(
    'body-too-large',
    'a body one byte over the body limit answers 413 with a providerError',
    (context) => post('pipeline', oversizedPipelineBody(context.bodyLimitBytes)),
    statusIs(413),
    hasProviderError,
  ),
  refused('pipeline-empty-name', 'a pipeline with an empty name', () => post('pipeline', jsonBody(pipelineDefinition('')))),
  refused('run-without-name', 'a run with neither a name nor a runConfigurationName', (context) =>
    postRun(context, { name: '', runConfigurationName: '' }),
  ),
  refused('name-with-two-slashes', 'a namespaced name with two "/" (a/b/c)', (context) => postRun(context, { name: 'a/b/c' })),
  refused('name-empty-namespace', 'a namespaced name with an empty namespace (/x)', (context) => postRun(context, { name: '/x' })),
  refused('name-empty-name', 'a namespaced name with an empty name (acc/)', (context) => postRun(context, { name: 'acc/' })),
  refused('cron-four-fields', 'a run schedule whose cron has 4 fields (0 0 1 *)', (context) => postSchedule(context, '0 0 1 *')),
  refused('cron-seven-fields', 'a run schedule whose cron has 7 fields (0 0 0 1 1 * 2030)', (context) =>
    postSchedule(context, '0 0 0 1 1 * 2030'),
  ),
  refused('cron-bad-value', 'a run schedule whose cron has a value out of range (99 * * * *)', (context) =>
    postSchedule(context, '99 * * * *'),
  ),
  refused('id-malformed-escape', 'an id with a malformed percent escape (%zz)', (context) =>
    remove('pipeline', `${absentSegment(context)}%zz`),
  ),
  answerRule(
    'run-update-not-implemented',
    'PUT /resource/run/{id} answers 501 with a providerError: runs have no update',
    (context) => putRun(context, absentSegment(context)),
    statusIs(501),
    hasProviderError,
  ),
  {
    name: 'put-error-carries-id',
    statement: 'an error answer to PUT (400 for a body that is not JSON, 501 for a run) carries the decoded id of the path',
    mutating: false,
    check: (context) =>
      runSteps(context, [
        { request: put('pipeline', absentSegment(context), truncatedJson), expect: [statusIsError, hasId(absentId(context))] },
        { request: putRun(context, absentSegment(context)), expect: [statusIsError, hasId(absentId(context))] },
      ]),
  },
  conditionalAnswerRule(
    'delete-error-carries-id',
    'an error answer to DELETE carries the decoded id of the path (checked when deleting an absent experiment fails)',
    (context) => remove('experiment', absentSegment(context)),
    unlessError,
    (context) => [hasId(absentId(context))],
  ),
  conditionalAnswerRule(
    'id-decoded-once',
    'a percent-encoded id is decoded exactly once: %252F in the path is the id with %2F',
    (context) => putRun(context, encodeURIComponent(absentSegment(context))),
    (answer) => (idOf(answer) === undefined ? 'the answer carries no id to compare (see put-error-carries-id)' : undefined),
    (context) => [hasId(absentSegment(context))],
  ),
  answerRule(
    'delete-absent-succeeds',
    'deleting something that does not exist (or no longer) answers 200',
    (context) => remove('pipeline', absentSegment(context)),
    statusIs(200),
  ),
  conditionalAnswerRule(
    'delete-answers-empty-object',
    'a successful DELETE answers exactly {}',
    (context) => remove('pipeline', absentSegment(context)),
    (answer) => (statusIsSuccess(answer) === undefined ? undefined : `the DELETE did not succeed (${answer.status})`),
    () => [bodyIsEmptyObject],
  ),
  mutatingRule(
    'pipeline-lifecycle',
    'a pipeline is created (201 with an id), updated through its percent-encoded id (200 with an id), deleted (200 {}) and deleted again (200 {})',
    pipelineLifecycle,
  ),
  mutatingRule(
    'experiment-lifecycle',
    'an experiment is created (201 with an id) and deleted twice (200 {}); skipped when the service answers 501',
    experimentLifecycle,
  ),
  mutatingRule(
    'runschedule-lifecycle',
    'a run schedule of a new pipeline is created (201 with an id), updated (200 with an id) and deleted twice (200 {})',
    runScheduleLifecycle,
  ),
  {
    name: 'every-answer-is-json',
    statement: 'every answer of this run, success or error, has a JSON body',
    mutating: false,
    check: async (c) => everyAnswerIsJson(c),
  },
]);
