import { createServer, type Server } from 'node:http';
import { expect } from 'chai';
import { listenOn } from '../../../src/adapters/shared/listen-on.js';
import { closeNow } from '../../../src/testing/loopback-http-server.js';
import { rejection } from '../../support/rejection.js';

describe('listenOn', () => {
  const servers: Server[] = [];

  function server(): Server {
    const created = createServer((_request, response) => response.end('up'));
    servers.push(created);
    return created;
  }

  afterEach(async () => {
    await Promise.all(servers.splice(0).map(async (created) => (created.listening ? closeNow(created) : undefined)));
  });

  it('resolves with the port the system picked for port 0, where the server answers', async () => {
    const port = await listenOn(server(), '127.0.0.1', 0);
    expect(port).to.be.greaterThan(0);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).to.equal('up');
  });

  it('rejects with the listen error when the port is taken', async () => {
    const port = await listenOn(server(), '127.0.0.1', 0);
    const error = await rejection(listenOn(server(), '127.0.0.1', port));
    expect((error as NodeJS.ErrnoException).code).to.equal('EADDRINUSE');
  });
});
