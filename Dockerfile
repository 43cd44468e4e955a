# syntax=docker/dockerfile:1
# The Roster server: `docker build -t roster:0.1.0 .` (deploy/README.md runs it on Kubernetes).

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY proto ./proto
COPY src ./src
RUN npm run build

# Production dependencies on their own, so that no build or test tool ships in the image.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PATH=/app/bin:$PATH
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# package.json makes dist/ ES modules; proto/ is loaded at run time.
COPY package.json package-lock.json ./
COPY proto ./proto
COPY bin ./bin
# A numeric user, so that Kubernetes' runAsNonRoot can check it without a passwd lookup.
USER 10001:10001
EXPOSE 7400 7401 7402
# bin/roster execs node, so node is PID 1 and receives SIGTERM itself: serve handles it (hand
# leadership over, snapshot, flush, exit 0), and starts no child processes that an init would
# have to reap, so the image needs no tini.
ENTRYPOINT ["/app/bin/roster"]
CMD ["serve"]
