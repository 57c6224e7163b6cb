import { expect } from 'chai';
import { backendErrorStatus } from '../../../src/adapters/shared/backend-error-status.js';

describe('backendErrorStatus', () => {
  it('reads a numeric code, else a numeric statusCode', () => {
    expect(backendErrorStatus(Object.assign(new Error('not found'), { code: 5 }))).to.equal(5);
    expect(backendErrorStatus(Object.assign(new Error('gone'), { statusCode: 410 }))).to.equal(410);
    expect(backendErrorStatus({ code: 404, statusCode: 500 })).to.equal(404);
    expect(backendErrorStatus({ code: 'ECONNREFUSED', statusCode: 503 })).to.equal(503);
  });

  it('is undefined without a numeric status', () => {
    for (const error of [new Error('plain'), { code: 'ECONNRESET' }, 'text', undefined, null, 42])
      expect(backendErrorStatus(error)).to.equal(undefined);
  });
});
