import { expect } from 'chai';
import { InvalidInputError } from '../../src/domain/errors.js';
import { localPipelineComponents, localRunStatus, parseArtifactPath } from '../../src/domain/local-run-outcome.js';

describe('local run outcome', () => {
  describe('status', () => {
    it('succeeds without parameters', () => {
      expect(localRunStatus({})).to.equal('succeeded');
    });
    it('fails when the outcome parameter is "failed"', () => {
      expect(localRunStatus({ outcome: 'failed' })).to.equal('failed');
    });
    it('succeeds for any other outcome value', () => {
      expect(localRunStatus({ outcome: 'FAILED' })).to.equal('succeeded');
      expect(localRunStatus({ result: 'failed' })).to.equal('succeeded');
    });
  });

  describe('artifact path', () => {
    const valid = [
      { path: 'Trainer:model', component: 'Trainer', artifact: 'model' },
      { path: 'Trainer:model:0', component: 'Trainer', artifact: 'model' },
      { path: 'Trainer:model[pushed == 1]', component: 'Trainer', artifact: 'model' },
      { path: 'Trainer:model:2[x.y > 0.5]', component: 'Trainer', artifact: 'model' },
      { path: 'Pusher:pushed_model[a:b]', component: 'Pusher', artifact: 'pushed_model' },
    ];
    for (const { path, component, artifact } of valid) {
      it(`reads "${path}" as ${component}/${artifact}`, () => {
        expect(parseArtifactPath(path)).to.deep.equal({ component, artifact });
      });
    }

    const invalid = ['', 'Trainer', 'Trainer:', ':model', '[x]', 'Trainer[x]:model'];
    for (const path of invalid) {
      it(`rejects "${path}" as invalid input`, () => {
        expect(() => parseArtifactPath(path)).to.throw(InvalidInputError, path === '' ? 'artifact path' : path);
      });
    }
  });

  describe('components', () => {
    const location = { root: 'gs://bucket/', pipeline: 'team/pipe', runId: 'r-1' };

    it('reports one artifact per requested output under {root}/{ns}/{pipeline}/{runId}/{component}/{artifact}', () => {
      const components = localPipelineComponents(
        [
          { name: 'model', path: 'Trainer:model' },
          { name: 'stats', path: 'Trainer:statistics:0[a > 1]' },
          { name: 'pushed', path: 'Pusher:pushed_model' },
        ],
        location,
      );
      expect(components).to.deep.equal([
        {
          name: 'Trainer',
          componentArtifacts: [
            { name: 'model', artifacts: [{ uri: 'gs://bucket/team/pipe/r-1/Trainer/model', metadata: {} }] },
            { name: 'statistics', artifacts: [{ uri: 'gs://bucket/team/pipe/r-1/Trainer/statistics', metadata: {} }] },
          ],
        },
        {
          name: 'Pusher',
          componentArtifacts: [
            { name: 'pushed_model', artifacts: [{ uri: 'gs://bucket/team/pipe/r-1/Pusher/pushed_model', metadata: {} }] },
          ],
        },
      ]);
    });

    it('reports an output requested twice once', () => {
      const components = localPipelineComponents(
        [
          { name: 'a', path: 'Trainer:model' },
          { name: 'b', path: 'Trainer:model:1' },
        ],
        location,
      );
      expect(components).to.have.length(1);
      expect(components[0]!.componentArtifacts).to.have.length(1);
    });

    it('reports nothing when no artifacts are requested', () => {
      expect(localPipelineComponents([], location)).to.deep.equal([]);
    });
  });
});
