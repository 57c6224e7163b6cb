import type { ResourceType } from '../ports/provider.js';

/** A JSON request body per resource type. */
export type RequestBodies = { readonly [T in ResourceType]: Readonly<Record<string, unknown>> };

/**
 * Valid request bodies, shaped as the KFP Operator sends them. They reference each other the
 * way real resources do: the run and the schedule name the pipeline `contract/pipeline` at
 * version `v1`, which the contract suite creates first. The schedule fires once a year, so no
 * run starts while the suite is running.
 */
export const validRequestBodies: RequestBodies = Object.freeze({
  pipeline: {
    pipelineDefinition: {
      name: 'contract/pipeline',
      version: 'v1',
      image: 'registry.example/contract-pipeline:v1',
      env: [{ name: 'STAGE', value: 'contract' }],
      framework: { name: 'kfpsdk', parameters: {} },
    },
    compiledPipeline: {
      pipelineInfo: { name: 'contract-pipeline' },
      root: { dag: { tasks: {} } },
      schemaVersion: '2.1.0',
      sdkVersion: 'kfp-2.7.0',
    },
  },
  run: {
    name: 'contract/run',
    version: 'v1',
    pipelineName: 'contract/pipeline',
    pipelineVersion: 'v1',
    runConfigurationName: 'contract/runconfiguration',
    experimentName: '',
    parameters: { learningRate: '0.1' },
    artifacts: [{ name: 'model', path: 'Trainer:model' }],
  },
  runschedule: {
    name: 'contract/schedule',
    version: 'v1',
    pipelineName: 'contract/pipeline',
    pipelineVersion: 'v1',
    runConfigurationName: 'contract/runconfiguration',
    experimentName: '',
    parameters: {},
    artifacts: [],
    schedule: { cronExpression: '0 0 1 1 *' },
    triggerIndicator: { type: 'schedule', source: 'schedule', sourceNamespace: 'contract' },
  },
  experiment: { name: 'contract/experiment', version: 'v1', description: 'created by the provider contract suite' },
});

/**
 * Bodies every provider must refuse with 400 before it is called: each breaks a rule of the
 * contract's validation (an empty name, a name with two `/`, a cron with four fields).
 */
export const invalidRequestBodies: RequestBodies = Object.freeze({
  pipeline: { pipelineDefinition: { name: '', version: 'v1' }, compiledPipeline: {} },
  run: { ...validRequestBodies.run, name: 'a/b/c' },
  runschedule: { ...validRequestBodies.runschedule, schedule: { cronExpression: '0 0 1 *' } },
  experiment: { name: '', version: 'v1', description: '' },
});
