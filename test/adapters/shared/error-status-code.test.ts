import { expect } from 'chai';
import { errorStatusCode } from '../../../src/adapters/shared/error-status-code.js';

describe('errorStatusCode', () => {
  it('reads a numeric code, else a numeric statusCode', () => {
    expect(errorStatusCode(Object.assign(new Error('not found'), { code: 5 }))).to.equal(5);
    expect(errorStatusCode(Object.assign(new Error('gone'), { statusCode: 410 }))).to.equal(410);
    expect(errorStatusCode({ code: 404, statusCode: 500 })).to.equal(404);
    expect(errorStatusCode({ code: 'ECONNREFUSED', statusCode: 503 })).to.equal(503);
  });

  it('is undefined without a numeric status', () => {
    for (const error of [new Error('plain'), { code: 'ECONNRESET' }, 'text', undefined, null, 42])
      expect(errorStatusCode(error)).to.equal(undefined);
  });
});
