import { expect } from 'chai';
import type { Health } from '../../../src/adapters/http/create-http-app.js';
import { DefinitionBodyMother } from '../../support/definition-mother.js';
import { send } from '../../support/http-client.js';
import { type RunningApp, startApp } from '../../support/http-app-harness.js';
import { InMemoryProvider } from '../../../src/testing/in-memory-provider.js';

describe('HTTP health, OpenAPI and request metrics', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('answers /livez with 2xx', async () => {
    running = await startApp(new InMemoryProvider(), { readiness: () => ({ healthy: false }) });
    const answer = await send(running.baseUrl, 'GET', '/livez');
    expect(answer.status).to.equal(200);
    expect(answer.json).to.deep.equal({});
  });

  it('answers /readyz with 503 and a reason until ready, then 200', async () => {
    let readiness: Health = { healthy: false, reason: 'run event source not connected' };
    running = await startApp(new InMemoryProvider(), { readiness: () => readiness });
    const before = await send(running.baseUrl, 'GET', '/readyz');
    expect(before.status).to.equal(503);
    expect(before.json).to.deep.equal({ providerError: 'not ready: run event source not connected' });
    readiness = { healthy: true };
    const after = await send(running.baseUrl, 'GET', '/readyz');
    expect(after.status).to.equal(200);
    expect(after.json).to.deep.equal({});
  });

  it('serves the OpenAPI document as YAML', async () => {
    const document = 'openapi: 3.0.0\ninfo:\n  title: provider\n';
    running = await startApp(new InMemoryProvider(), { openApiDocument: document });
    const answer = await send(running.baseUrl, 'GET', '/openapi.yaml');
    expect(answer.status).to.equal(200);
    expect(answer.headers.get('content-type')).to.match(/^application\/yaml/);
    expect(answer.text).to.equal(document);
  });

  it('counts requests by method, route pattern and status, and times them', async () => {
    running = await startApp(new InMemoryProvider());
    const base = running.baseUrl;
    await send(base, 'POST', '/resource/run', { json: DefinitionBodyMother.run() });
    await send(base, 'POST', '/resource/run', { json: DefinitionBodyMother.run() });
    await send(base, 'DELETE', '/resource/pipeline/team%2Fpipe');
    await send(base, 'PUT', '/resource/run/x', { json: DefinitionBodyMother.run() });
    await send(base, 'POST', '/resource/run', { body: '{', contentType: 'application/json' });
    await send(base, 'GET', '/nowhere/at/all');
    await send(base, 'PATCH', '/resource/run/x', { json: {} });
    const text = await running.metrics.registry.metrics();
    expect(text).to.include(
      'http_server_request_duration_seconds_count{http_request_method="POST",http_response_status_code="201",http_route="/resource/run"} 2',
    );
    expect(text).to.include(
      'http_server_request_duration_seconds_count{http_request_method="DELETE",http_response_status_code="200",http_route="/resource/pipeline/:id"} 1',
    );
    expect(text).to.include(
      'http_server_request_duration_seconds_count{http_request_method="PUT",http_response_status_code="501",http_route="/resource/run/:id"} 1',
    );
    expect(text).to.include(
      'http_server_request_duration_seconds_count{http_request_method="POST",http_response_status_code="400",http_route="/resource/run"} 1',
    );
    expect(text).to.include(
      'http_server_request_duration_seconds_count{http_request_method="GET",http_response_status_code="404",http_route="unmatched"} 1',
    );
    // A wrong method keeps its route, as the Go service's chi router does.
    expect(text).to.include(
      'http_server_request_duration_seconds_count{http_request_method="PATCH",http_response_status_code="405",http_route="/resource/run/:id"} 1',
    );
    expect(text).not.to.include('team%2Fpipe');
    expect(text).not.to.include('/nowhere');
    expect(text).to.match(
      /http_server_request_duration_seconds_bucket\{le="0.075",http_request_method="DELETE",http_response_status_code="200",http_route="\/resource\/pipeline\/:id"\} \d/,
    );
    // The names the Go service no longer shares are gone, so no dashboard reads a stale twin.
    expect(text).not.to.include('http_requests_total');
    expect(text).not.to.include('\nhttp_request_duration_seconds');
  });
});
