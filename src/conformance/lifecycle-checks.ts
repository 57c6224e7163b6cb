import { type AnswerExpectation, bodyIsEmptyObject, hasSomeId, idOf, statusIs } from './answer-expectations.js';
import {
  conformanceName,
  experimentDefinition,
  jsonBody,
  pipelineDefinition,
  post,
  put,
  remove,
  scheduleDefinition,
} from './conformance-requests.js';
import { type RuleContext, type RuleVerdict, verdictOf } from './conformance-rule.js';
import type { ConformanceRequest } from './http-exchange.js';

// The checks that create real resources. Each deletes what it created whatever failed on the
// way, and reports the first step that failed.

interface Step {
  readonly label: string;
  readonly verdict: RuleVerdict;
}

async function step(context: RuleContext, label: string, request: ConformanceRequest, expect: readonly AnswerExpectation[]): Promise<Step> {
  return { label, verdict: verdictOf(await context.send(request), expect) };
}

function decide(steps: readonly Step[]): RuleVerdict {
  const failed = steps.find((candidate) => candidate.verdict.outcome === 'FAIL');
  if (!failed) {
    const last = steps.at(-1)?.verdict;
    const answers = steps.map(({ label, verdict }) => `${label} ${verdict.exchange?.answer?.status ?? '?'}`);
    return last ? { ...last, reason: `every step as expected: ${answers.join(', ')}` } : { outcome: 'SKIP', reason: 'nothing was checked' };
  }
  return { ...failed.verdict, reason: `${failed.label}: ${failed.verdict.reason ?? ''}` };
}

function idFrom(created: Step): string | undefined {
  const answer = created.verdict.exchange?.answer;
  return created.verdict.outcome === 'PASS' && answer ? idOf(answer) : undefined;
}

const created = [statusIs(201), hasSomeId];
const updated = [statusIs(200), hasSomeId];
const deleted = [statusIs(200), bodyIsEmptyObject];

async function deleteTwice(context: RuleContext, type: string, id: string): Promise<Step[]> {
  const segment = encodeURIComponent(id);
  return [
    await step(context, `delete ${type}`, remove(type, segment), deleted),
    await step(context, `delete ${type} again`, remove(type, segment), deleted),
  ];
}

/** Creates a pipeline, updates it through its percent-encoded id, deletes it twice. */
export async function pipelineLifecycle(context: RuleContext): Promise<RuleVerdict> {
  const name = conformanceName(context, 'pipeline');
  const create = await step(context, 'create', post('pipeline', jsonBody(pipelineDefinition(name))), created);
  const id = idFrom(create);
  if (id === undefined) return decide([create]);
  const update = await step(context, 'update', put('pipeline', encodeURIComponent(id), jsonBody(pipelineDefinition(name, 'v2'))), updated);
  return decide([create, update, ...(await deleteTwice(context, 'pipeline', idFrom(update) ?? id))]);
}

/** Creates an experiment and deletes it twice; a service without experiments (501) is skipped. */
export async function experimentLifecycle(context: RuleContext): Promise<RuleVerdict> {
  const body = jsonBody(experimentDefinition(conformanceName(context, 'experiment')));
  const create = await step(context, 'create', post('experiment', body), created);
  if (create.verdict.exchange?.answer?.status === 501) {
    return { outcome: 'SKIP', reason: 'the service does not offer experiments (501)', exchange: create.verdict.exchange };
  }
  const id = idFrom(create);
  if (id === undefined) return decide([create]);
  return decide([create, ...(await deleteTwice(context, 'experiment', id))]);
}

/**
 * Creates a pipeline and a yearly schedule of it that ends within the hour, updates the
 * schedule, deletes it twice, and deletes the pipeline.
 */
export async function runScheduleLifecycle(context: RuleContext): Promise<RuleVerdict> {
  const pipelineName = conformanceName(context, 'scheduled-pipeline');
  const pipeline = await step(context, 'create pipeline', post('pipeline', jsonBody(pipelineDefinition(pipelineName))), created);
  const pipelineId = idFrom(pipeline);
  if (pipelineId === undefined) return decide([pipeline]);
  const steps = [pipeline];
  const schedule = (cron: string): Buffer => jsonBody(scheduleDefinition(context, cron, { pipelineName }));
  const create = await step(context, 'create', post('runschedule', schedule('0 0 1 1 *')), created);
  steps.push(create);
  const id = idFrom(create);
  if (id !== undefined) {
    const update = await step(context, 'update', put('runschedule', encodeURIComponent(id), schedule('0 0 2 1 *')), updated);
    steps.push(update, ...(await deleteTwice(context, 'runschedule', idFrom(update) ?? id)));
  }
  steps.push(await step(context, 'delete pipeline', remove('pipeline', encodeURIComponent(pipelineId)), deleted));
  return decide(steps);
}
