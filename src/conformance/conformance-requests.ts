import type { ConformanceRequest } from './http-exchange.js';
import type { RuleContext } from './conformance-rule.js';

// Every name the suite sends lives in this namespace and carries the run's token, so an absent
// id never names a real object and what a mutating run creates is easy to recognise.
const namespace = 'kfp-conformance';

/** `kfp-conformance/{what}-{token}`: a namespaced name no real resource has. */
export function conformanceName(context: RuleContext, what: string): string {
  return `${namespace}/${what}-${context.token}`;
}

/** A body that starts like a definition and breaks off: not JSON. */
export const truncatedJson = Buffer.from('{"pipelineDefinition":');

/** `value` as a JSON body. */
export function jsonBody(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** A POST of `body` to `/resource/{type}`. */
export function post(type: string, body: Buffer, contentType = 'application/json'): ConformanceRequest {
  return { method: 'POST', path: `/resource/${type}`, contentType, body };
}

/** A PUT of `body` to `/resource/{type}/{segment}`; `segment` is sent as it is, escapes included. */
export function put(type: string, segment: string, body: Buffer): ConformanceRequest {
  return { method: 'PUT', path: `/resource/${type}/${segment}`, contentType: 'application/json', body };
}

/** A DELETE of `/resource/{type}/{segment}`; `segment` is sent as it is, escapes included. */
export function remove(type: string, segment: string): ConformanceRequest {
  return { method: 'DELETE', path: `/resource/${type}/${segment}` };
}

/** A pipeline definition as the operator sends it, with a tiny compiled pipeline. */
export function pipelineDefinition(name: string, version = 'v1'): Record<string, unknown> {
  return {
    pipelineDefinition: {
      name,
      version,
      image: 'registry.example/kfp-conformance:v1',
      env: [],
      framework: { name: 'kfpsdk', parameters: {} },
    },
    compiledPipeline: { pipelineInfo: { name: 'kfp-conformance' }, root: { dag: { tasks: {} } }, schemaVersion: '2.1.0' },
  };
}

/**
 * A run definition. Unless overridden it names a pipeline that does not exist, so a service
 * that wrongly accepted a refused run could still not start anything on its backend.
 */
export function runDefinition(context: RuleContext, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: conformanceName(context, 'run'),
    version: 'v1',
    pipelineName: conformanceName(context, 'absent-pipeline'),
    pipelineVersion: 'v1',
    runConfigurationName: '',
    experimentName: '',
    parameters: {},
    artifacts: [],
    ...overrides,
  };
}

/**
 * A run schedule definition with `cronExpression`. It ends an hour after the run started, so a
 * schedule left behind by a failed mutating run never fires (the default cron is once a year).
 */
export function scheduleDefinition(
  context: RuleContext,
  cronExpression: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const endTime = new Date(context.startedAt.getTime() + 60 * 60 * 1000).toISOString();
  const [sourceNamespace, source] = conformanceName(context, 'schedule').split('/');
  return runDefinition(context, {
    name: conformanceName(context, 'schedule'),
    schedule: { cronExpression, endTime },
    triggerIndicator: { type: 'schedule', source, sourceNamespace },
    ...overrides,
  });
}

/** An experiment definition. */
export function experimentDefinition(name: string): Record<string, unknown> {
  return { name, version: 'v1', description: 'created by kfp-provider-service conformance' };
}

/**
 * A JSON pipeline body of `limitBytes + 1` bytes whose definition is invalid (empty name): a
 * service that accepted the size would still refuse it rather than store it.
 */
export function oversizedPipelineBody(limitBytes: number): Buffer {
  const head = Buffer.from('{"pipelineDefinition":{"name":"","version":"v1"},"compiledPipeline":"');
  const tail = Buffer.from('"}');
  const body = Buffer.alloc(Math.max(limitBytes + 1, head.length + tail.length), 'x');
  head.copy(body, 0);
  tail.copy(body, body.length - tail.length);
  return body;
}
