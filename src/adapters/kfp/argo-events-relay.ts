import { readKfpWorkflow } from '../../domain/kfp/argo-workflow.js';
import { unwrapRelayedWorkflow } from '../../domain/kfp/relayed-workflow-event.js';
import type { ContributedRequest, ContributedResponse, HttpRouteContribution } from '../../ports/http-route-contribution.js';
import { isRetryableOutcome, type SingleEventProcessor } from '../../ports/single-event-processor.js';

/** The path Argo Events sensors (or other relays) POST workflow events to. */
export const argoEventsRelayPath = '/events/argo-workflows';

function parseBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: perhaps base64 or a JSON string without quotes; the normaliser decides.
    return text;
  }
}

// A namespaced Kubernetes name is at most 63 + 1 + 253 characters; an id longer than that is
// not one the sender was entitled to, and it would be echoed into the answer and every log line.
const longestEventId = 317;

/**
 * `POST /events/argo-workflows`: workflow events relayed by an Argo Events sensor's HTTP trigger
 * (the Workflow, the resource event data, the whole Argo event with base64 `data`) or by any
 * CloudEvents sender (structured or binary mode). Each is normalised and delivered once, like a
 * watched workflow; the answer tells the sender whether to retry: 200 when the event was delivered
 * or needs no delivery (not a finished KFP workflow, rejected by the operator, malformed), 503
 * while delivery fails or the run is not final yet (ML Metadata still catching up), so a sensor
 * with `atLeastOnce` and `policy.status.allow: [200]` retries.
 */
export class ArgoEventsRelay implements HttpRouteContribution {
  readonly method = 'POST';
  readonly path = argoEventsRelayPath;
  readonly #processor: SingleEventProcessor;
  #sequence = 0;

  constructor(processor: SingleEventProcessor) {
    this.#processor = processor;
  }

  async handle(request: ContributedRequest): Promise<ContributedResponse> {
    // In CloudEvents binary mode the body is the event data and the context is in ce-* headers.
    const payload = parseBody(request.body);
    const id = this.#eventId(request, payload);
    const outcome = await this.#processor.processOnce(payload, id);
    if (isRetryableOutcome(outcome)) {
      return { status: 503, body: { id, providerError: `the run completion of ${id} could not be delivered yet; retry later` } };
    }
    return { status: 200, body: { id, outcome } };
  }

  #eventId(request: ContributedRequest, payload: unknown): string {
    const header = request.headers['ce-id'] || request.headers['x-event-id'];
    if (header && header.length <= longestEventId) return header;
    const relayed = unwrapRelayedWorkflow(payload);
    if (relayed.kind === 'workflow') {
      if (relayed.eventId && relayed.eventId.length <= longestEventId) return relayed.eventId;
      const workflow = readKfpWorkflow(relayed.workflow);
      const name = workflow?.name ? (workflow.namespace ? `${workflow.namespace}/${workflow.name}` : workflow.name) : '';
      if (name && name.length <= longestEventId) return name;
    }
    this.#sequence += 1;
    return `argo-events-${this.#sequence}`;
  }
}
