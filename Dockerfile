# syntax=docker/dockerfile:1
# Build with dev dependencies, run with production ones. Node 24 LTS.

FROM node:24-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json vitest.config.ts ./
COPY bin ./bin
COPY config ./config
COPY src ./src
COPY state ./state
COPY strategies ./strategies
COPY bench ./bench
COPY test ./test
# npm ci runs the prepare script, which compiles TypeScript to dist/ (the same step as on a developer machine).
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:24-slim
ENV NODE_ENV=production \
    KRX_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/config ./config
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 9464
# /healthz: 200 when connected and subscribed during the session, 503 with the reason otherwise.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.KRX_HTTP_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# A 4 MB young generation keeps RSS ~25 MB lower at the same throughput (measured: 162 -> 137 MB).
ENTRYPOINT ["node", "--max-semi-space-size=4", "/app/bin/krx-signals.js"]
CMD ["start"]
