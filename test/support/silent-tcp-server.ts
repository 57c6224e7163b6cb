import { createServer, type Socket } from 'node:net';

/** A server that accepts connections and never sends a byte. */
export interface SilentTcpServer {
  /** `127.0.0.1:port`. */
  readonly address: string;
  /** Cuts every connection and stops listening. */
  stop(): Promise<void>;
}

/**
 * Starts a TCP server on 127.0.0.1 that accepts every connection and never answers: a backend
 * that is stuck rather than down, for HTTP clients and gRPC channels alike (a gRPC channel never
 * gets past its handshake), so that only a deadline ends a call to it.
 */
export async function startSilentTcpServer(): Promise<SilentTcpServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
