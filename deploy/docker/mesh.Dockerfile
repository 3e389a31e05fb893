# One image for every mesh component: proxy, proxy-init, destination/policy,
# identity and the injector. Node runs the TypeScript directly, so there is no
# build step beyond installing dependencies, compiling the proxy's addon and
# generating the API types.
#   docker build -f deploy/docker/mesh.Dockerfile -t weft/mesh:0.1.0 .
# BASE is any Debian-based image with Node 24 and npm in /usr/local (the
# official node:24-slim, or the local one deploy/images/build.sh makes where
# nothing can be pulled).
ARG BASE=node:24-slim

# Dependencies, the addon and the generated types are made in a stage of their
# own, so the compiler, pnpm and its store never reach the image.
FROM ${BASE} AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends gcc libc6-dev
WORKDIR /weft
# Manifests first, so dependency layers are cached across source edits.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY packages/api/package.json packages/api/
COPY packages/identity/package.json packages/identity/
COPY packages/control-plane/package.json packages/control-plane/
COPY packages/proxy/package.json packages/proxy/
# The proxy's SO_ORIGINAL_DST addon is compiled by its install script.
COPY packages/original-dst/package.json packages/original-dst/
COPY packages/original-dst/scripts packages/original-dst/scripts
COPY packages/original-dst/src packages/original-dst/src
# The pnpm of package.json's packageManager field ("pnpm@x.y.z" is an npm
# spec), from npm: corepack cannot verify it where the registry's metadata
# carries no signatures. A host whose TLS to the registry passes an
# inspecting proxy lends that proxy's CA bundle as the build secret ca-bundle
# (build.sh does); no layer keeps it.
RUN --mount=type=secret,id=ca-bundle \
  if [ -f /run/secrets/ca-bundle ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca-bundle; fi \
  && npm install --global --no-audit --no-fund "$(node -p 'require("./package.json").packageManager')" \
  && pnpm install --frozen-lockfile --prod --reporter=append-only \
    --filter @weft/api --filter @weft/identity --filter @weft/control-plane --filter @weft/proxy \
    --filter @weft/original-dst \
  && test -f packages/original-dst/build/original_dst.node

COPY packages/api/proto packages/api/proto
COPY packages/api/scripts packages/api/scripts
COPY packages/api/src packages/api/src
RUN pnpm --filter @weft/api generate
# Dependencies' type declarations, source maps and stray tests are never
# loaded at run time: about 45 MB of the image.
RUN find node_modules/.pnpm -type f \( -name '*.d.ts' -o -name '*.d.[cm]ts' -o -name '*.map' -o -name '*.test.ts' \) -delete
# Sources last: the layers above survive an edit. Tests never enter the
# context (mesh.Dockerfile.dockerignore).
COPY packages/identity/src packages/identity/src
COPY packages/control-plane/src packages/control-plane/src
COPY packages/proxy/src packages/proxy/src

FROM ${BASE}
# iptables (nft backend) for weft-init; openssl for the injector's webhook certificate.
RUN apt-get update \
  && apt-get install -y --no-install-recommends iptables openssl ca-certificates \
  && rm -rf /var/lib/apt/lists/*
# The proxy's own user: proxy-init's rules let traffic of this uid (the
# injector's proxyUid) leave the pod without coming back to the proxy.
RUN groupadd --gid 2102 weft-proxy \
  && useradd --uid 2102 --gid 2102 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin weft-proxy
COPY --from=build /weft /weft
COPY deploy/docker/bin/ /usr/local/bin/
WORKDIR /weft
ENV NODE_ENV=production
# The proxy runs as uid 2102 (set by the injector); other components as node.
# Numeric, so the kubelet can verify runAsNonRoot (uid 1000 is "node" in the base).
USER 1000:1000
ENTRYPOINT ["weft-component"]
