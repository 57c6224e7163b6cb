import { expect } from 'chai';
import { normaliseGcsEndpoint, parseVertexEndpoint } from '../../../src/adapters/vertex/vertex-endpoint.js';

describe('vertex endpoint settings', () => {
  const vertex: Array<[string, { host: string; port: number; plaintext: boolean }]> = [
    ['europe-west2-aiplatform.googleapis.com:443', { host: 'europe-west2-aiplatform.googleapis.com', port: 443, plaintext: false }],
    ['europe-west2-aiplatform.googleapis.com', { host: 'europe-west2-aiplatform.googleapis.com', port: 443, plaintext: false }],
    ['http://127.0.0.1:9090', { host: '127.0.0.1', port: 9090, plaintext: true }],
    ['http://127.0.0.1:9090/', { host: '127.0.0.1', port: 9090, plaintext: true }],
    ['https://private.example:8443', { host: 'private.example', port: 8443, plaintext: false }],
  ];
  for (const [setting, expected] of vertex) {
    it(`reads vaiEndpoint ${setting}`, () => {
      expect(parseVertexEndpoint(setting)).to.deep.equal(expected);
    });
  }

  it('rejects a malformed vaiEndpoint', () => {
    expect(() => parseVertexEndpoint('http://host:port:9')).to.throw(/host\[:port\]/);
  });

  const gcs: Array<[string, string]> = [
    ['http://127.0.0.1:4443/storage/v1/', 'http://127.0.0.1:4443'],
    ['http://127.0.0.1:4443', 'http://127.0.0.1:4443'],
    ['127.0.0.1:4443', 'http://127.0.0.1:4443'],
    ['https://storage.example.com/storage/v1', 'https://storage.example.com'],
  ];
  for (const [setting, expected] of gcs) {
    it(`normalises gcsEndpoint ${setting}`, () => {
      expect(normaliseGcsEndpoint(setting)).to.equal(expected);
    });
  }
});
