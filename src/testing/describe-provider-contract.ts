import assert from 'node:assert/strict';
import { createProviderService, type ProviderService } from '../composition/create-provider-service.js';
import { assertId, assertProviderError, assertStatus, sendRequest, sendToItem } from './contract-answer.js';
import { type Provider, type ResourceDefinitions, type ResourceOperations, type ResourceType, resourceTypes } from '../ports/provider.js';
import { invalidRequestBodies, type RequestBodies, validRequestBodies } from './contract-request-bodies.js';
import { defaultProviderOperations, type ProviderOperation, providerOperations, type ProviderOperationSet } from './in-memory-provider.js';

/** Options of {@link describeProviderContract}. */
export interface ProviderContractOptions {
  /**
   * The operations the provider implements, per resource type; the others must answer 501.
   * Defaults to {@link defaultProviderOperations} (everything except updating a run).
   */
  readonly operations?: Partial<ProviderOperationSet>;
  /**
   * Replacement valid bodies, for a provider that needs particular values (e.g. its compiled
   * pipeline format, or pipeline parameters that the run's `parameters` must match). Before the
   * run and run schedule tests the suite creates what they refer to through the API: the
   * `pipeline` body and, when the run or schedule body names an experiment (a non-empty
   * `experimentName`), the `experiment` body, so name that one. Each is created only when the
   * provider implements its create.
   */
  readonly bodies?: Partial<RequestBodies>;
  /**
   * Ids of resources that never existed, per type, for the "delete of something gone" check;
   * defaults to `contract-never-created`. Give one in the provider's id format when it has one.
   */
  readonly missingIds?: Partial<Readonly<Record<ResourceType, string>>>;
  /** Releases the provider after the suite (timers, connections). */
  readonly dispose?: (provider: Provider) => void | Promise<void>;
  /** Mocha timeout of each test and hook, in ms (default 10 000). */
  readonly timeoutMs?: number;
}

// The few Mocha globals the suite uses, looked up when the suite is declared rather than when
// this module is imported, so importing the testing entry works without Mocha.
interface MochaContext {
  timeout(ms: number): void;
}
type MochaBlock = (this: MochaContext) => void;
type MochaTest = (this: MochaContext) => Promise<void>;
interface MochaGlobals {
  readonly describe: (title: string, block: MochaBlock) => void;
  readonly it: (title: string, test: MochaTest) => void;
  readonly before: (hook: MochaTest) => void;
  readonly after: (hook: MochaTest) => void;
}

function mochaGlobals(): MochaGlobals {
  const candidate = globalThis as unknown as Partial<MochaGlobals>;
  if (typeof candidate.describe !== 'function' || typeof candidate.it !== 'function') {
    throw new Error('describeProviderContract declares Mocha tests: call it from a spec file that Mocha loads');
  }
  return candidate as MochaGlobals;
}

type CallCounts = Map<string, number>;

// Wraps the provider so the suite can tell whether a request reached it, keeping absent
// operations absent (they must stay 501).
function countingProvider(provider: Provider, counts: CallCounts): Provider {
  const wrap = <T extends ResourceType>(type: T): ResourceOperations<ResourceDefinitions[T]> => {
    const operations = provider[type];
    const wrapped: Record<string, unknown> = {};
    for (const operation of providerOperations) {
      const original = operations[operation] as ((...args: unknown[]) => Promise<unknown>) | undefined;
      if (typeof original !== 'function') continue;
      wrapped[operation] = (...args: unknown[]) => {
        counts.set(`${type}.${operation}`, (counts.get(`${type}.${operation}`) ?? 0) + 1);
        return original.apply(operations, args);
      };
    }
    return wrapped;
  };
  return { pipeline: wrap('pipeline'), run: wrap('run'), runschedule: wrap('runschedule'), experiment: wrap('experiment') };
}

// Whether a run or schedule body names an experiment rather than leaving it to the provider's default.
const namesExperiment = (body: Readonly<Record<string, unknown>>): boolean =>
  typeof body['experimentName'] === 'string' && body['experimentName'] !== '';

// An id with a slash, so that the id an error answer carries is seen to be decoded from `%2F`.
const unimplementedId = 'contract/not-implemented';

/**
 * Declares a Mocha suite that checks a {@link Provider} against the KFP Operator's provider
 * contract, through the real HTTP API: the provider runs inside a provider service on an
 * ephemeral 127.0.0.1 port and the suite sends the requests the operator would. It checks that
 * creates answer 201 with a non-empty string id, updates 200 with one, deletes 200 `{}` and
 * again 200 `{}` once the resource is gone (also for an id that never existed), that operations
 * the provider leaves out answer 501 with a `providerError`, that invalid definitions and
 * bodies that are not JSON answer 400 without reaching the provider, and that every error answer
 * to PUT and DELETE carries the (decoded) id of its path.
 *
 * Call it at the top level of a spec file (or inside a `describe`); it uses Mocha's global
 * `describe`, `it`, `before` and `after`. `factory` is called once, before the suite's tests.
 *
 * @example
 * describeProviderContract('my provider', () => new MyProvider(), {
 *   operations: { run: ['create', 'delete'], experiment: [] },
 * });
 */
export function describeProviderContract(
  name: string,
  factory: () => Provider | Promise<Provider>,
  options: ProviderContractOptions = {},
): void {
  const { describe, it, before, after } = mochaGlobals();
  const offered: ProviderOperationSet = { ...defaultProviderOperations, ...options.operations };
  const bodies: RequestBodies = { ...validRequestBodies, ...options.bodies };
  const offers = (type: ResourceType, operation: ProviderOperation): boolean => offered[type].includes(operation);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const counts: CallCounts = new Map();
  let provider: Provider | undefined;
  let service: ProviderService | undefined;
  const running = (): ProviderService => {
    if (!service) throw new Error('the provider service did not start; see the failure of the "before all" hook');
    return service;
  };
  // An id to update or delete: a fresh resource when the provider can create one.
  const existingId = async (type: ResourceType): Promise<string> =>
    offers(type, 'create')
      ? assertId(await sendRequest(running(), 'POST', `/resource/${type}`, bodies[type]), 201, `POST /resource/${type}`)
      : 'contract-id';

  describe(`provider contract: ${name}`, function providerContract() {
    this.timeout(timeoutMs);

    before(async function startProviderService() {
      provider = await factory();
      service = createProviderService({
        provider: countingProvider(provider, counts),
        config: { SERVER_HOST: '127.0.0.1', SERVER_PORT: '0', METRICS_PORT: '0', SHUTDOWN_TIMEOUT_MS: '1000' },
      });
      await service.start();
    });

    after(async function stopProviderService() {
      await service?.stop();
      if (provider) await options.dispose?.(provider);
    });

    for (const type of resourceTypes) {
      describe(type, function resourceContract() {
        if (type === 'run' || type === 'runschedule') {
          // Runs and schedules refer to a pipeline, which real providers check; the pipeline
          // tests may have deleted it, so it is created again here. An experiment the body names
          // is created too, as the experiment tests come later (the default bodies name none).
          before(async function createReferencedResources() {
            if (offers('pipeline', 'create')) {
              assertId(
                await sendRequest(running(), 'POST', '/resource/pipeline', bodies.pipeline),
                201,
                'POST of the pipeline runs refer to',
              );
            }
            if (namesExperiment(bodies[type]) && offers('experiment', 'create')) {
              assertId(
                await sendRequest(running(), 'POST', '/resource/experiment', bodies.experiment),
                201,
                'POST of the experiment runs refer to',
              );
            }
          });
        }
        if (offers(type, 'create')) {
          it('POST creates it and answers 201 with a non-empty string id', async function create() {
            assertId(await sendRequest(running(), 'POST', `/resource/${type}`, bodies[type]), 201, `POST /resource/${type}`);
          });
          it('POST of an invalid definition answers 400 with a providerError before reaching the provider', async function invalid() {
            const before = counts.get(`${type}.create`) ?? 0;
            assertProviderError(
              await sendRequest(running(), 'POST', `/resource/${type}`, invalidRequestBodies[type]),
              400,
              `POST /resource/${type} (invalid)`,
            );
            assert.equal(counts.get(`${type}.create`) ?? 0, before, `an invalid ${type} definition reached the provider's create`);
          });
          it('POST of a body that is not JSON answers 400 with a providerError', async function notJson() {
            assertProviderError(
              await sendRequest(running(), 'POST', `/resource/${type}`, undefined, '{"name": '),
              400,
              `POST /resource/${type} (not JSON)`,
            );
          });
        } else {
          it('POST answers 501 with a providerError (create is not implemented)', async function createMissing() {
            assertProviderError(await sendRequest(running(), 'POST', `/resource/${type}`, bodies[type]), 501, `POST /resource/${type}`);
          });
        }

        if (offers(type, 'update')) {
          it('PUT updates it and answers 200 with a non-empty string id', async function update() {
            const id = await existingId(type);
            assertId(await sendToItem(running(), 'PUT', type, id, bodies[type]), 200, `PUT /resource/${type}/{id}`);
          });
          it('PUT of an invalid definition answers 400 with a providerError and the id, before reaching the provider', async function invalidUpdate() {
            const id = await existingId(type);
            const before = counts.get(`${type}.update`) ?? 0;
            assertProviderError(
              await sendToItem(running(), 'PUT', type, id, invalidRequestBodies[type]),
              400,
              `PUT /resource/${type}/{id} (invalid)`,
            );
            assert.equal(counts.get(`${type}.update`) ?? 0, before, `an invalid ${type} definition reached the provider's update`);
          });
          it('PUT of a body that is not JSON answers 400 with a providerError and the id', async function notJsonUpdate() {
            const id = await existingId(type);
            assertProviderError(
              await sendToItem(running(), 'PUT', type, id, undefined, '{"name": '),
              400,
              `PUT /resource/${type}/{id} (not JSON)`,
            );
          });
        } else {
          it('PUT answers 501 with a providerError and the id (update is not implemented)', async function updateMissing() {
            assertProviderError(await sendToItem(running(), 'PUT', type, unimplementedId, bodies[type]), 501, `PUT /resource/${type}/{id}`);
          });
        }

        if (offers(type, 'delete')) {
          it('DELETE answers 200 {} and, once it is gone, 200 {} again', async function remove() {
            const id = await existingId(type);
            for (const attempt of ['first', 'second']) {
              const answer = await sendToItem(running(), 'DELETE', type, id);
              assertStatus(answer, 200, `${attempt} DELETE /resource/${type}/{id}`);
              assert.deepEqual(answer.body, {}, `${attempt} DELETE /resource/${type}/{id} must answer exactly {}`);
            }
          });
          it('DELETE of an id that never existed answers 200 {}', async function removeMissing() {
            const answer = await sendToItem(running(), 'DELETE', type, options.missingIds?.[type] ?? 'contract-never-created');
            assertStatus(answer, 200, `DELETE /resource/${type}/{unknown id}`);
            assert.deepEqual(answer.body, {}, `DELETE /resource/${type}/{unknown id} must answer exactly {}`);
          });
        } else {
          it('DELETE answers 501 with a providerError and the id (delete is not implemented)', async function deleteMissing() {
            assertProviderError(await sendToItem(running(), 'DELETE', type, unimplementedId), 501, `DELETE /resource/${type}/{id}`);
          });
        }
      });
    }

    it('an unknown resource type answers 404 with a providerError', async function unknownType() {
      assertProviderError(await sendRequest(running(), 'POST', '/resource/notebook', {}), 404, 'POST /resource/notebook');
    });
  });
}
