import { type EventNormalisation, ignoreEvent, invalidEvent } from '../../domain/event-normalisation.js';
import { readKfpWorkflow } from '../../domain/kfp/argo-workflow.js';
import { kfpRunCompletion, readKfpRunFacts } from '../../domain/kfp/kfp-run-completion.js';
import { unwrapRelayedWorkflow } from '../../domain/kfp/relayed-workflow-event.js';
import type { NamespacedName } from '../../domain/namespaced-name.js';
import type { Clock } from '../../ports/clock.js';
import type { RunEventNormaliser } from '../../ports/run-event-normaliser.js';
import type { KfpApiClient } from './kfp-api-client.js';
import type { MlmdGrpcClient } from './mlmd-grpc-client.js';

/** What {@link KfpRunEventNormaliser} reads from. */
export interface KfpRunEventNormaliserOptions {
  readonly api: KfpApiClient;
  readonly mlmd: Pick<MlmdGrpcClient, 'pipelineComponents'>;
  /** `PROVIDERNAME`, written into every event. */
  readonly provider: NamespacedName;
  readonly clock: Clock;
}

/**
 * Turns a finished KFP Argo Workflow (watched, or relayed by Argo Events in any of its forms) into
 * a run completion: status from the workflow phase, names and times from the KFP run, artifacts
 * from ML Metadata. Workflows that are not KFP runs, not finished or already published are
 * ignored; a succeeded run ML Metadata does not know yet is pending; KFP or MLMD failures throw.
 * The pipeline retries the last two.
 */
export class KfpRunEventNormaliser implements RunEventNormaliser {
  readonly #options: KfpRunEventNormaliserOptions;

  constructor(options: KfpRunEventNormaliserOptions) {
    this.#options = options;
  }

  async normalise(payload: unknown): Promise<EventNormalisation> {
    const relayed = unwrapRelayedWorkflow(payload);
    if (relayed.kind === 'ignore') return ignoreEvent(relayed.reason);
    if (relayed.kind === 'invalid') return invalidEvent(relayed.reason);
    const workflow = readKfpWorkflow(relayed.workflow);
    if (!workflow || workflow.runId === '') return ignoreEvent(`workflow ${workflow?.name ?? '(unnamed)'} is not a KFP run`);
    if (workflow.published) return ignoreEvent(`the completion of workflow ${workflow.name} was already delivered`);
    if (!workflow.status) return ignoreEvent(`workflow ${workflow.name} has not finished`);
    const { api, mlmd, provider, clock } = this.#options;
    const run = await api.getRun(workflow.runId);
    if (run === undefined) return invalidEvent(`KFP run ${workflow.runId} of workflow ${workflow.name} does not exist`);
    return kfpRunCompletion({
      status: workflow.status,
      runId: workflow.runId,
      run: readKfpRunFacts(run),
      components: await mlmd.pipelineComponents(workflow.runId),
      provider,
      now: clock.now(),
    });
  }
}
