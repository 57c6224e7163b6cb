import type { Server } from 'node:http';
import { listenOn } from '../adapters/shared/listen-on.js';

/** Starts `server` on 127.0.0.1 and an ephemeral port; resolves to `http://127.0.0.1:{port}`. */
export async function listenOnLoopback(server: Server): Promise<string> {
  return `http://127.0.0.1:${await listenOn(server, '127.0.0.1', 0)}`;
}

/**
 * Stops `server` at once: kept-alive and in-flight connections are cut rather than waited for,
 * which is what a test double should do when its test is over.
 */
export async function closeNow(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
