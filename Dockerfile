# One image for every provider: the provider kind is chosen at start-up from the environment.

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

FROM node:24-slim AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-slim
ENV NODE_ENV=production
# The operator runs the pod with a 256 Mi limit. Left alone, V8 sizes its heap from the node's
# memory and lets garbage pile up far past that (a vai service measured over 300 MiB RSS with
# about 50 MiB live while events flowed); with these caps it peaked near 160 MiB at the same
# throughput. bench/ reads them from here, so the benchmarks measure what the image runs.
ENV NODE_OPTIONS="--max-old-space-size=160 --max-semi-space-size=1"
WORKDIR /app
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY docs/openapi.yaml ./docs/openapi.yaml
USER node
EXPOSE 8080 8081
CMD ["node", "dist/main.js"]
