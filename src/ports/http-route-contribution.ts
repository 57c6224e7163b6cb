/** A request as an extra route sees it: headers (lower-case names) and the raw body. */
export interface ContributedRequest {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer;
}

/** The answer of an extra route; the body is sent as JSON. */
export interface ContributedResponse {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>>;
}

/**
 * A route an adapter adds to the API port without depending on the HTTP framework, e.g. the
 * Argo Events relay `POST /events/argo-workflows`.
 */
export interface HttpRouteContribution {
  /** The HTTP method. */
  readonly method: 'POST' | 'PUT' | 'GET';
  /** The path, a literal such as `/events/argo-workflows`. */
  readonly path: string;
  /** Handles one request. Thrown provider errors are mapped like the resource routes'. */
  handle(request: ContributedRequest): Promise<ContributedResponse>;
}

/** Injection token of the list of {@link HttpRouteContribution}s. */
export const HttpRouteContribution = Symbol.for('kfp-provider-service.HttpRouteContribution');
