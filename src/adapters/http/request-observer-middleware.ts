import type { Middleware } from 'koa';
import type { IdGenerator } from '../../ports/id-generator.js';
import type { Logger } from '../../ports/logger.js';
import { isResourceType } from '../../ports/provider.js';
import type { HttpMetrics } from '../../ports/http-metrics.js';

/**
 * Where a middleware that answers for a route without the router (405 for a wrong method) leaves
 * the route's pattern and parameters, so that the request is still labelled with its route.
 */
export const routePatternState = 'routePattern';

interface RoutePattern {
  readonly pattern: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/** Header carrying the request id, taken from the caller when present, echoed in the answer. */
export const requestIdHeader = 'x-request-id';

/**
 * The `route` label of a request: the matched pattern with a known resource type filled in
 * (`/resource/run`, `/resource/run/:id`), as the Go service labels them. Ids and unknown types
 * never become label values, so the label set stays small.
 */
export function routeLabel(pattern: string | undefined, type: unknown): string {
  if (pattern === undefined) return 'unmatched';
  return isResourceType(type) ? pattern.replace(':type', type) : pattern;
}

// Kubernetes probes arrive every few seconds; at info level they would drown the operator's calls.
const probePaths = new Set(['/livez', '/readyz']);

/**
 * Logs every answered request with its id, route pattern, status and duration, and records the
 * HTTP metrics. It sits outside the error middleware so it sees the final status.
 */
export function requestObserverMiddleware(options: { logger: Logger; metrics?: HttpMetrics; ids: IdGenerator }): Middleware {
  return async function observeRequest(ctx, next) {
    const started = process.hrtime.bigint();
    const requestId = ctx.get(requestIdHeader) || options.ids.next();
    ctx.set(requestIdHeader, requestId);
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const unrouted = (ctx.state as Record<string, RoutePattern | undefined>)[routePatternState];
      const pattern = unrouted?.pattern ?? (ctx as unknown as { _matchedRoute?: string })._matchedRoute;
      const params = unrouted?.params ?? (ctx as unknown as { params?: Readonly<Record<string, unknown>> }).params;
      const route = routeLabel(pattern === undefined ? undefined : String(pattern), params?.['type']);
      options.metrics?.observeRequest({ method: ctx.method, route, status: ctx.status }, seconds);
      const level = probePaths.has(ctx.path) ? 'debug' : 'info';
      options.logger[level]('request', {
        requestId,
        method: ctx.method,
        path: ctx.path,
        route,
        status: ctx.status,
        durationMs: Math.round(seconds * 1000),
      });
    }
  };
}
