/**
 * What the service bundle gives the Vertex AI clients in place of their package's 4 MB
 * protos.json (see scripts/service-bundle.mjs): no definitions at all. `vertexServiceGax` takes
 * it for that bundle, as it takes the real one, so the clients never read it.
 */
export const aiplatformProtosStandIn: Readonly<{ nested: Readonly<Record<string, never>> }> = Object.freeze({ nested: Object.freeze({}) });
