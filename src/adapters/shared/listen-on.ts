import type { Server } from 'node:net';

/**
 * Starts `server` listening on `host:port` and resolves with the port it is bound to (the one
 * the system picked when `port` is 0); rejects with the listen error (the port is taken, the
 * host is not an address of this machine).
 */
export async function listenOn(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`server on ${host}:${port} has no TCP address`);
  return address.port;
}
