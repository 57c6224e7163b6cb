# One image for every provider: the provider kind is chosen at start-up from the environment.
# The final stage copies only the payload that scripts/image-payload.mjs writes (the service
# bundle, the files of the few packages it loads from node_modules, the OpenAPI document):
# about 15 MiB instead of the 235 MiB of a production node_modules. `npm run payload -- DIR`
# writes the same payload outside Docker.

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: nothing the payload needs builds anything, and esbuild finds its binary
# through its platform package.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
COPY docs/openapi.yaml ./docs/openapi.yaml
RUN node scripts/image-payload.mjs /payload

FROM node:24-slim
ENV NODE_ENV=production
# The operator runs the pod with a 256 Mi limit. Left alone, V8 sizes its heap from the node's
# memory and lets garbage pile up far past that (a vai service measured over 300 MiB RSS with
# about 50 MiB live while events flowed); with these caps it peaks near 140 MiB at the same
# throughput. The young generation's 2 MiB semi-spaces, against 1, cost 2–3 MiB of RSS and
# spend about a tenth less CPU on a local run request and start the services sooner. 4 MiB
# ones saved a little more CPU, but the vai service's peak RSS then grew with its backlog (+8%).
# bench/ reads these flags from here, so the benchmarks measure what the image runs.
ENV NODE_OPTIONS="--max-old-space-size=160 --max-semi-space-size=2"
# Compiled code of the service and the packages it loads, filled below at build time: a start-up
# reads it instead of compiling (the vai provider is ready 7–11% sooner). Node keys the
# cache by its version and the user id, so a pod run as another uid compiles as it would
# without one; it cannot write to the cache, and Node carries on silently when it cannot.
ENV NODE_COMPILE_CACHE=/app/compile-cache
WORKDIR /app
# Owned by root and read-only to the service: it writes nothing to disk, so the pod can run
# with readOnlyRootFilesystem and needs no writable volume (docs/deploying.md).
COPY --from=build /payload ./
RUN mkdir compile-cache && chown 65532:65532 compile-cache
# A numeric uid:gid that exists nowhere else in the image, so that Kubernetes can verify
# runAsNonRoot without a passwd lookup.
USER 65532:65532
RUN node dist/warm-compile-cache.mjs
USER root
# Node writes its cache files readable by their owner alone.
RUN chown -R root:root compile-cache && chmod -R a=rX compile-cache
USER 65532:65532
EXPOSE 8080 8081
CMD ["node", "dist/main.js"]
