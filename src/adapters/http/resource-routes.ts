import type Router from '@koa/router';
import type { Context } from 'koa';
import {
  decodeExperimentDefinition,
  decodePipelineResource,
  decodeRunDefinition,
  decodeRunScheduleDefinition,
} from '../../domain/definition-decoding.js';
import { InvalidInputError, NotFoundError, NotImplementedError } from '../../domain/errors.js';
import {
  isResourceType,
  type Provider,
  type ResourceDefinitions,
  type ResourceOperations,
  type ResourceType,
  resourceTypes,
} from '../../ports/provider.js';
import { answerJson } from './json-answer.js';
import type { BodyReader } from './json-body.js';
import { carryIdInErrorAnswers } from './json-error-middleware.js';

/** How each resource type's request body is decoded and validated. */
const decoders: { readonly [T in ResourceType]: (body: unknown) => ResourceDefinitions[T] } = {
  pipeline: decodePipelineResource,
  run: decodeRunDefinition,
  runschedule: decodeRunScheduleDefinition,
  experiment: decodeExperimentDefinition,
};

function resourceType(ctx: Context): ResourceType {
  const type = (ctx.params as Readonly<Record<string, unknown>>)['type'];
  if (!isResourceType(type)) {
    throw new NotFoundError(`unknown resource type "${String(type)}"; expected one of ${resourceTypes.join(', ')}`);
  }
  return type;
}

// The router decodes parameters leniently (a bad escape stays as it was); the operator
// percent-encodes ids such as `projects/p/locations/l/schedules/1` into one segment, so the raw
// segment is decoded here exactly once and a malformed escape is the caller's error. That 400
// carries no id: there is no decoded id to give back. From here on every error answer of the
// request carries the id (SPEC §2), whichever provider or validation step fails.
function resourceId(ctx: Context): string {
  const raw = ctx.path.split('/')[3] ?? '';
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    throw new InvalidInputError(`resource id "${raw}" is not validly percent-encoded`);
  }
  if (id === '') throw new InvalidInputError('resource id must not be empty');
  carryIdInErrorAnswers(ctx, id);
  return id;
}

function operation<K extends keyof ResourceOperations<unknown>>(
  provider: Provider,
  type: ResourceType,
  name: K,
): NonNullable<ResourceOperations<unknown>[K]> {
  const operations = provider[type] as ResourceOperations<unknown>;
  const found = operations[name];
  if (!found) throw new NotImplementedError(`${name} of ${type} is not implemented by this provider`);
  return found.bind(operations) as NonNullable<ResourceOperations<unknown>[K]>;
}

/** The route patterns, as they appear in the `route` label of the HTTP metrics. */
export const resourceRoutePatterns = Object.freeze({
  collection: '/resource/:type',
  item: '/resource/:type/:id',
});

/**
 * Adds the operator's resource API to `router`, for every resource type from one table: POST
 * creates (201), PUT updates (200), DELETE deletes (200 with exactly `{}`). An operation the
 * provider leaves out is 501. Error answers to PUT and DELETE carry the id of the path, those to
 * POST none; an unknown type (404) is refused before the id is read, as such a path names no resource.
 */
export function addResourceRoutes(router: Router, provider: Provider, bodies: BodyReader): void {
  router.post(resourceRoutePatterns.collection, async function createResource(ctx) {
    const type = resourceType(ctx);
    const create = operation(provider, type, 'create');
    const definition = decoders[type](await bodies.json(ctx));
    answerJson(ctx, 201, { id: await create(definition) });
  });
  router.put(resourceRoutePatterns.item, async function updateResource(ctx) {
    const type = resourceType(ctx);
    const id = resourceId(ctx);
    const update = operation(provider, type, 'update');
    const definition = decoders[type](await bodies.json(ctx));
    answerJson(ctx, 200, { id: await update(id, definition) });
  });
  router.delete(resourceRoutePatterns.item, async function deleteResource(ctx) {
    const type = resourceType(ctx);
    const id = resourceId(ctx);
    await operation(provider, type, 'delete')(id);
    answerJson(ctx, 200, {});
  });
}
