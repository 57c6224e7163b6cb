import { expect } from 'chai';
import { LogLineRedactor } from '../../../src/adapters/logging/log-line-redactor.js';

function line(fields: Record<string, unknown>): string {
  return `${JSON.stringify({ level: 'error', msg: 'request failed', ...fields })}\n`;
}

describe('log line redactor', () => {
  const redactor = new LogLineRedactor(['topsecret-token', 'quo"ted-secret']);

  const cases: Array<{ what: string; fields: Record<string, unknown>; secret: string }> = [
    { what: 'a configured secret in a message', fields: { error: 'upstream said topsecret-token is wrong' }, secret: 'topsecret-token' },
    { what: 'a configured secret in its JSON-escaped form', fields: { value: 'quo"ted-secret' }, secret: 'ted-secret' },
    { what: 'a logged Authorization header', fields: { headers: { authorization: 'Bearer abcdefghijkl' } }, secret: 'abcdefghijkl' },
    {
      what: 'a Cookie header, past its semicolons',
      fields: { headers: { Cookie: 'session=s3ss10n-value; other=0th3r-value' } },
      secret: '0th3r-value',
    },
    {
      what: 'an inspected header in an error text',
      fields: { cause: "{ authorization: 'Basic dXNlcjpwYXNzd29yZA==' }" },
      secret: 'dXNlcjpw',
    },
    { what: 'a header as text', fields: { error: 'sent x-api-key: k3y-v4lue-123 to the backend' }, secret: 'k3y-v4lue-123' },
    { what: 'a bearer token in prose', fields: { error: 'rejected Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig' }, secret: 'eyJhbGciOiJIUzI1NiJ9' },
    { what: 'URL userinfo', fields: { error: 'POST https://hook-user:hook-pass@operator/events failed' }, secret: 'hook-pass' },
    { what: 'a credential query value', fields: { url: 'http://operator/events?token=q-token-value&x=1' }, secret: 'q-token-value' },
    { what: 'a signature query value', fields: { url: 'https://storage/o?X-Goog-Signature=abc123def&alt=media' }, secret: 'abc123def' },
    { what: 'a header name in capitals', fields: { headers: { 'X-AUTH-TOKEN': 't0k3n-upper-value' } }, secret: 't0k3n-upper-value' },
    {
      what: 'a Proxy-Authorization header',
      fields: { headers: { 'Proxy-Authorization': 'Digest pr0xy-digest-value' } },
      secret: 'pr0xy-digest-value',
    },
    { what: 'a credential query value in a bare path', fields: { path: '/events?api_key=p4th-key-value' }, secret: 'p4th-key-value' },
  ];
  for (const { what, fields, secret } of cases) {
    it(`scrubs ${what}, keeping the line JSON`, () => {
      const scrubbed = redactor.redact(line(fields));
      expect(scrubbed).not.to.include(secret);
      expect(scrubbed).to.include('[redacted]');
      expect(() => JSON.parse(scrubbed) as unknown).not.to.throw();
    });
  }

  it('keeps what names the credential and what is not one', () => {
    const scrubbed = redactor.redact(line({ url: 'https://user:pw@operator:8080/events?token=t0k3n-value&page=2', note: 'Basic usage' }));
    expect(JSON.parse(scrubbed)).to.deep.include({
      url: 'https://[redacted]@operator:8080/events?token=[redacted]&page=2',
      note: 'Basic usage',
    });
  });

  it('leaves a line without credentials as it is', () => {
    const plain = line({ path: '/resource/pipeline', status: 201, route: '/resource/:type', durationMs: 3 });
    expect(new LogLineRedactor().redact(plain)).to.equal(plain);
  });
});
