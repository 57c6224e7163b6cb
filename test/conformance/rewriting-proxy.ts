import { createServer, request, type Server } from 'node:http';
import { closeNow, listenOnLoopback } from '../../src/testing/loopback-http-server.js';

/** An answer as the proxy passes it on. */
export interface ProxiedAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** Changes the upstream's answer to the request `method path` before the client sees it. */
export type AnswerRewrite = (method: string, path: string, answer: ProxiedAnswer) => ProxiedAnswer;

/** A started proxy. */
export interface RewritingProxy {
  readonly url: string;
  stop(): Promise<void>;
}

// A deliberately broken (or, for the control, repaired) provider service: a real service
// behind a node:http proxy that rewrites one aspect of its answers, so a test knows exactly
// which rule the result must break.
function proxyServer(upstream: URL, rewrite: AnswerRewrite): Server {
  return createServer((incoming, outgoing) => {
    const method = incoming.method ?? 'GET';
    const path = incoming.url ?? '/';
    const forwarded = request({ host: upstream.hostname, port: upstream.port, method, path, headers: incoming.headers, agent: false });
    // The client may give up on the upload once it has its answer (413); so does the proxy.
    outgoing.on('close', () => forwarded.destroy());
    incoming.on('error', () => forwarded.destroy());
    forwarded.on('error', () => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'application/json' }).end('{"providerError":"upstream failed"}');
    });
    forwarded.on('response', (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const original = {
          status: answer.statusCode ?? 502,
          contentType: answer.headers['content-type'] ?? '',
          body: Buffer.concat(chunks).toString(),
        };
        const rewritten = rewrite(method, path, original);
        outgoing.writeHead(rewritten.status, { 'content-type': rewritten.contentType }).end(rewritten.body);
      });
    });
    // Headers go first, as the client sent them, so the upstream can refuse a body by its size.
    forwarded.flushHeaders();
    incoming.pipe(forwarded);
  });
}

/** Starts a proxy on loopback in front of `upstream`, rewriting its answers with `rewrite`. */
export async function startRewritingProxy(upstream: string, rewrite: AnswerRewrite): Promise<RewritingProxy> {
  const server = proxyServer(new URL(upstream), rewrite);
  const url = await listenOnLoopback(server);
  return { url, stop: () => closeNow(server) };
}

/** Applies `rewrites` in order. */
export function composeRewrites(...rewrites: readonly AnswerRewrite[]): AnswerRewrite {
  return (method, path, answer) => rewrites.reduce((current, rewrite) => rewrite(method, path, current), answer);
}

function jsonObject(answer: ProxiedAnswer): Record<string, unknown> | undefined {
  try {
    const body = JSON.parse(answer.body) as unknown;
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function withJson(answer: ProxiedAnswer, body: Record<string, unknown>): ProxiedAnswer {
  return { ...answer, contentType: 'application/json', body: JSON.stringify(body) };
}

function decodedPathId(path: string): string | undefined {
  const segment = /^\/resource\/[^/]+\/([^/?]+)/.exec(path)?.[1];
  try {
    return segment === undefined ? undefined : decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

const isItemError = (method: string, answer: ProxiedAnswer): boolean => (method === 'PUT' || method === 'DELETE') && answer.status >= 400;

/**
 * The control: puts the decoded id of the path into PUT and DELETE error answers that lack it,
 * which is what SPEC §2 asks and the service behind it may not do yet.
 */
export const addPathIdToErrors: AnswerRewrite = (method, path, answer) => {
  const body = jsonObject(answer);
  const id = decodedPathId(path);
  if (!isItemError(method, answer) || !body || body['id'] !== undefined || id === undefined) return answer;
  return withJson(answer, { id, ...body });
};

/** Broken: PUT and DELETE error answers lose their `id`. */
export const dropIdFromErrors: AnswerRewrite = (method, _path, answer) => {
  const body = jsonObject(answer);
  if (!isItemError(method, answer) || !body) return answer;
  const { id: _id, ...rest } = body;
  return withJson(answer, rest);
};

/** Broken: every error answer is text/plain. */
export const textPlainErrors: AnswerRewrite = (_method, _path, answer) =>
  answer.status >= 400
    ? { status: answer.status, contentType: 'text/plain', body: `error: ${String(jsonObject(answer)?.['providerError'])}` }
    : answer;

/** Broken: an unknown resource type is a 500. */
export const serverErrorForUnknownType: AnswerRewrite = (_method, path, answer) => {
  const type = /^\/resource\/([^/?]+)/.exec(path)?.[1];
  const known = ['pipeline', 'run', 'runschedule', 'experiment'];
  return type !== undefined && !known.includes(type) ? withJson({ ...answer, status: 500 }, { providerError: 'internal error' }) : answer;
};

/** Broken: a successful DELETE answers `{"ok":true}` instead of `{}`. */
export const deleteAnswersOk: AnswerRewrite = (method, _path, answer) =>
  method === 'DELETE' && answer.status === 200 ? withJson(answer, { ok: true }) : answer;
