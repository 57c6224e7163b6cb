import { expect } from 'chai';
import {
  eventsPublishedPatch,
  isFinishedUnpublishedKfpWorkflow,
  jsonPointer,
  readKfpWorkflow,
} from '../../../src/domain/kfp/argo-workflow.js';
import { unwrapRelayedWorkflow } from '../../../src/domain/kfp/relayed-workflow-event.js';

const workflow = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Workflow',
  metadata: {
    name: 'wf',
    namespace: 'kubeflow',
    resourceVersion: '9',
    labels: { 'pipeline/runid': 'r1', 'workflows.argoproj.io/phase': 'Failed' },
  },
  status: { phase: 'Failed' },
};
const base64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64');

describe('unwrapRelayedWorkflow', () => {
  it('finds the workflow in every form a relay sends', () => {
    const forms: Array<[string, unknown, string | undefined]> = [
      ['workflow', workflow, undefined],
      ['workflow as JSON string', JSON.stringify(workflow), undefined],
      ['resource event data', { type: 'UPDATE', body: workflow, oldBody: null }, undefined],
      ['trigger body with the workflow as string', { eventType: 'ADD', workflow: JSON.stringify(workflow) }, undefined],
      ['Argo event, base64 data', { context: { id: 'c1' }, data: base64({ type: 'ADD', body: workflow }) }, 'c1'],
      ['structured CloudEvent', { specversion: '1.0', id: 'ce', data: { type: 'ADD', body: workflow } }, 'ce'],
      ['structured CloudEvent, data_base64', { specversion: '1.0', id: 'ce64', data_base64: base64(workflow) }, 'ce64'],
    ];
    for (const [form, payload, eventId] of forms) {
      const result = unwrapRelayedWorkflow(payload);
      expect(result, form).to.deep.equal({ kind: 'workflow', workflow, ...(eventId ? { eventId } : {}) });
    }
  });

  it('ignores deletions and rejects what no relay sends', () => {
    expect(unwrapRelayedWorkflow({ type: 'DELETE', body: workflow }).kind).to.equal('ignore');
    expect(unwrapRelayedWorkflow({ eventType: 'DELETE', workflow }).kind).to.equal('ignore');
    for (const bad of [42, 'plain text', { hello: 1 }, { specversion: '1.0' }, { context: {}, data: '!!!' }]) {
      expect(unwrapRelayedWorkflow(bad).kind, JSON.stringify(bad)).to.equal('invalid');
    }
    let nested: unknown = workflow;
    for (let depth = 0; depth < 10; depth += 1) nested = { workflow: nested };
    expect(unwrapRelayedWorkflow(nested).kind).to.equal('invalid');
  });
});

describe('KFP workflows', () => {
  it('reads run id, status and the published mark', () => {
    const read = readKfpWorkflow(workflow);
    expect(read).to.deep.equal({
      name: 'wf',
      namespace: 'kubeflow',
      resourceVersion: '9',
      runId: 'r1',
      status: 'failed',
      published: false,
    });
    expect(isFinishedUnpublishedKfpWorkflow(read)).to.equal(true);
    const published = {
      ...workflow,
      metadata: { ...workflow.metadata, labels: { ...workflow.metadata.labels, 'pipelines.kubeflow.org/events-published': 'true' } },
    };
    expect(isFinishedUnpublishedKfpWorkflow(readKfpWorkflow(published))).to.equal(false);
    const running = {
      ...workflow,
      metadata: { ...workflow.metadata, labels: { 'pipeline/runid': 'r', 'workflows.argoproj.io/phase': 'Running' } },
    };
    expect(isFinishedUnpublishedKfpWorkflow(readKfpWorkflow(running))).to.equal(false);
    expect(
      readKfpWorkflow({ metadata: { name: 'x', labels: { 'pipeline/runid': 'r' } }, status: { phase: 'Succeeded' } })!.status,
    ).to.equal('succeeded');
    expect(readKfpWorkflow('nope')).to.equal(undefined);
  });

  it('marks published with an RFC 6901 escaped add patch', () => {
    expect(jsonPointer('a~b', 'c/d')).to.equal('/a~0b/c~1d');
    expect(eventsPublishedPatch()).to.deep.equal([
      { op: 'add', path: '/metadata/labels/pipelines.kubeflow.org~1events-published', value: 'true' },
    ]);
  });
});
