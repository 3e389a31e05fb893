# emojivoto (web, emoji-svc, voting-svc, vote-bot) in one image; each
# Deployment picks its service with `command: [node, src/<svc>/main.ts]`.
#   docker build -f deploy/docker/emojivoto.Dockerfile -t weft/emojivoto:v11 .
# BASE: as in mesh.Dockerfile.
ARG BASE=node:24-slim

# pnpm and its store stay in this stage.
FROM ${BASE} AS build
WORKDIR /weft
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY apps/emojivoto-ts/package.json apps/emojivoto-ts/
# pnpm and the build secret ca-bundle: as in mesh.Dockerfile.
RUN --mount=type=secret,id=ca-bundle \
  if [ -f /run/secrets/ca-bundle ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca-bundle; fi \
  && npm install --global --no-audit --no-fund "$(node -p 'require("./package.json").packageManager')" \
  && pnpm install --frozen-lockfile --prod --reporter=append-only --filter @weft/emojivoto-ts
# Dependencies' type declarations, source maps and stray tests are never
# loaded at run time: as in mesh.Dockerfile.
RUN find node_modules/.pnpm -type f \( -name '*.d.ts' -o -name '*.d.[cm]ts' -o -name '*.map' -o -name '*.test.ts' \) -delete
# Tests never enter the context (emojivoto.Dockerfile.dockerignore).
COPY apps/emojivoto-ts/proto apps/emojivoto-ts/proto
COPY apps/emojivoto-ts/src apps/emojivoto-ts/src

FROM ${BASE}
COPY --from=build /weft /weft
WORKDIR /weft/apps/emojivoto-ts
ENV NODE_ENV=production
# Numeric, so the kubelet can verify runAsNonRoot (uid 1000 is "node" in the base).
USER 1000:1000
CMD ["node", "src/web/main.ts"]
