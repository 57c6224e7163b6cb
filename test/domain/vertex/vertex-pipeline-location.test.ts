import { expect } from 'chai';
import { pipelineObjectPath, pipelineObjectPrefix, pipelineTemplateUri } from '../../../src/domain/vertex/vertex-pipeline-location.js';

describe('vertex pipeline location', () => {
  const cases = [
    { pipeline: { namespace: 'ns', name: 'pipe' }, version: 'v1', path: 'ns/pipe/v1', uri: 'gs://bucket/ns/pipe/v1' },
    { pipeline: { namespace: '', name: 'pipe' }, version: '0.0.1', path: 'pipe/0.0.1', uri: 'gs://bucket/pipe/0.0.1' },
  ];
  for (const { pipeline, version, path, uri } of cases) {
    it(`stores ${pipeline.namespace}/${pipeline.name}@${version} at ${path}`, () => {
      expect(pipelineObjectPath(pipeline, version)).to.equal(path);
      expect(pipelineTemplateUri('bucket', pipeline, version)).to.equal(uri);
    });
  }

  it('deletes a pipeline by the prefix of its id plus a slash, so ns/pipe does not match ns/pipeline', () => {
    expect(pipelineObjectPrefix('ns/pipe')).to.equal('ns/pipe/');
  });
});
