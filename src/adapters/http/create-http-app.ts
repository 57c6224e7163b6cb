import Router from '@koa/router';
import Koa from 'koa';
import { configDefaults } from '../../config/config-defaults.js';
import type { HttpRouteContribution } from '../../ports/http-route-contribution.js';
import type { IdGenerator } from '../../ports/id-generator.js';
import type { Logger } from '../../ports/logger.js';
import type { Provider } from '../../ports/provider.js';
import type { HttpMetrics } from '../../ports/http-metrics.js';
import { HttpError } from './http-error.js';
import { answerJson } from './json-answer.js';
import { type BodyReader, createBodyReader } from './json-body.js';
import { jsonErrorMiddleware } from './json-error-middleware.js';
import { requestObserverMiddleware, routePatternState } from './request-observer-middleware.js';
import { addResourceRoutes } from './resource-routes.js';

/** What a health probe (`/livez` or `/readyz`) is told: healthy or not, and why not. */
export interface Health {
  /** Whether the probe answers 200 (otherwise 503). */
  readonly healthy: boolean;
  /** Why the service is not healthy, for the 503 body. */
  readonly reason?: string;
}

/** Everything the HTTP API is built from. */
export interface HttpAppOptions {
  readonly provider: Provider;
  readonly logger: Logger;
  readonly ids: IdGenerator;
  /** Largest request body, on the wire and as text in memory; larger is 413. */
  readonly bodyLimitBytes: number;
  /** Most JSON values (object keys included) in a request body; more is 413 before parsing. */
  readonly bodyLimitValues?: number;
  /** Deepest nesting of objects and arrays in a request body; deeper is 413 before parsing. */
  readonly bodyLimitDepth?: number;
  /** Asked on every `/readyz`: whether the service is ready to serve. */
  readonly readiness: () => Health;
  /** Asked on every `/livez`: whether the process is alive; alive when left out. */
  readonly liveness?: () => Health;
  readonly metrics?: HttpMetrics;
  /** Extra routes of adapters, e.g. the Argo Events relay. */
  readonly contributions?: readonly HttpRouteContribution[];
  /** The OpenAPI document served at `/openapi.yaml`. */
  readonly openApiDocument?: string;
}

// As JSON text: an object body makes Koa ask whether it is a web stream, a Blob or a Response,
// and the first such question loads Node's undici, tens of milliseconds of the first /readyz.
function answerProbe(ctx: Koa.Context, health: Health, what: string): void {
  answerJson(ctx, health.healthy ? 200 : 503, health.healthy ? {} : { providerError: `${what}: ${health.reason ?? 'starting'}` });
}

function addHealthRoutes(router: Router, options: HttpAppOptions): void {
  const alive = options.liveness ?? ((): Health => ({ healthy: true }));
  router.get('/livez', function livez(ctx) {
    answerProbe(ctx, alive(), 'not alive');
  });
  router.get('/readyz', function readyz(ctx) {
    answerProbe(ctx, options.readiness(), 'not ready');
  });
  const openApiDocument = options.openApiDocument;
  if (openApiDocument !== undefined) {
    router.get('/openapi.yaml', function openApi(ctx) {
      ctx.type = 'application/yaml';
      ctx.body = openApiDocument;
    });
  }
}

function addContributedRoutes(router: Router, contributions: readonly HttpRouteContribution[], bodies: BodyReader): void {
  for (const contribution of contributions) {
    const method = contribution.method.toLowerCase() as 'post' | 'put' | 'get';
    router[method](contribution.path, async function contributedRoute(ctx) {
      const headers = Object.fromEntries(
        Object.entries(ctx.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]),
      );
      const answer = await contribution.handle({ headers, body: await bodies.raw(ctx) });
      answerJson(ctx, answer.status, answer.body);
    });
  }
}

/**
 * Builds the Koa application of the provider service: the operator's resource API, health
 * endpoints, the OpenAPI document and any contributed routes. It is returned unstarted so a
 * library user can mount `app.callback()` in an existing server.
 */
export function createHttpApp(options: HttpAppOptions): Koa {
  const app = new Koa();
  const bodies = createBodyReader({
    bytes: options.bodyLimitBytes,
    values: options.bodyLimitValues ?? configDefaults.bodyLimitValues,
    depth: options.bodyLimitDepth ?? configDefaults.bodyLimitDepth,
  });
  // One router for every route: a router is a middleware of its own that matches the path again,
  // and every one a request passes without a match costs it that for nothing.
  const router = new Router();
  addHealthRoutes(router, options);
  addResourceRoutes(router, options.provider, bodies);
  addContributedRoutes(router, options.contributions ?? [], bodies);
  app.use(
    requestObserverMiddleware({ logger: options.logger, ids: options.ids, ...(options.metrics ? { metrics: options.metrics } : {}) }),
  );
  app.use(jsonErrorMiddleware(options.logger));
  app.use(router.routes());
  app.use(async function unmatched(ctx) {
    const layers = router.match(ctx.path, ctx.method).path;
    const allowed = new Set(layers.flatMap((layer) => layer.methods));
    if (allowed.size > 0) {
      // The path has a route, only not for this method: its metrics keep the route's pattern.
      const [layer] = layers;
      if (layer) ctx.state[routePatternState] = { pattern: layer.path, params: layer.params(ctx.path, layer.captures(ctx.path)) };
      ctx.set('allow', [...allowed].join(', '));
      throw new HttpError(405, `method ${ctx.method} is not allowed on ${ctx.path}`);
    }
    throw new HttpError(404, `no route for ${ctx.method} ${ctx.path}`);
  });
  return app;
}
