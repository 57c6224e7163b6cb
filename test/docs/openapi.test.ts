import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'yaml';
import { resourceTypes } from '../../src/ports/provider.js';

interface OpenApi {
  paths: Record<string, Record<string, { responses: Record<string, unknown>; parameters?: unknown[] }>>;
  components: {
    parameters: Record<string, { schema: { enum?: string[] } }>;
    schemas: Record<string, { properties?: Record<string, unknown> }>;
  };
}

const document = parse(readFileSync(new URL('../../docs/openapi.yaml', import.meta.url), 'utf8')) as OpenApi;

describe('the OpenAPI document', () => {
  it('describes every route the service serves, with the status codes of the contract', () => {
    const statuses = (path: string, method: string): string[] => Object.keys(document.paths[path]?.[method]?.responses ?? {}).sort();
    expect(statuses('/resource/{type}', 'post')).to.deep.equal(['201', '400', '404', '405', '408', '413', '415', '431', '500', '501']);
    expect(statuses('/resource/{type}/{id}', 'put')).to.deep.equal(['200', '400', '404', '405', '408', '413', '415', '431', '500', '501']);
    expect(statuses('/resource/{type}/{id}', 'delete')).to.deep.equal(['200', '400', '404', '405', '408', '431', '500', '501']);
    expect(statuses('/livez', 'get')).to.deep.equal(['200', '503']);
    expect(statuses('/readyz', 'get')).to.deep.equal(['200', '503']);
    expect(statuses('/events/argo-workflows', 'post')).to.deep.equal(['200', '408', '413', '431', '503']);
  });

  it('documents the id of the path in the error answers to PUT and DELETE, and none in those to POST', () => {
    const responseOf = (path: string, method: string, status: string): string | undefined =>
      (document.paths[path]?.[method]?.responses[status] as { $ref?: string } | undefined)?.$ref;
    for (const [method, statuses] of [
      ['put', ['400', '413', '415', '500', '501']],
      ['delete', ['400', '500', '501']],
    ] as const) {
      for (const status of statuses) {
        expect(responseOf('/resource/{type}/{id}', method, status), `${method} ${status}`).to.equal('#/components/responses/ItemError');
      }
    }
    for (const status of ['400', '413', '415', '500', '501']) {
      expect(responseOf('/resource/{type}', 'post', status), `post ${status}`).to.equal('#/components/responses/Error');
    }
    expect(document.components.schemas['ItemErrorBody']!.properties).to.have.keys('id', 'providerError');
    expect(document.components.schemas['ErrorBody']!.properties).to.have.keys('providerError');
  });

  it('lists exactly the resource types of the provider port', () => {
    expect(document.components.parameters['ResourceType']!.schema.enum).to.deep.equal([...resourceTypes]);
  });

  it('carries the two corrections of the published document: framework.name and schedule as an object', () => {
    const pipeline = document.components.schemas['PipelineResource'] as {
      properties: { pipelineDefinition: { properties: { framework: { properties: Record<string, unknown> } } } };
    };
    expect(pipeline.properties.pipelineDefinition.properties.framework.properties).to.have.property('name');
    const schedule = document.components.schemas['RunScheduleDefinition'] as {
      allOf: Array<{ properties?: { schedule?: { type: string } } }>;
    };
    expect(schedule.allOf[1]!.properties!.schedule!.type).to.equal('object');
  });
});
