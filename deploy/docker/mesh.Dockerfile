# One image for every mesh component: proxy, proxy-init, destination/policy,
# identity and the injector. Node runs the TypeScript directly, so there is no
# build step beyond installing dependencies and generating the API types.
#   docker build -f deploy/docker/mesh.Dockerfile -t weft/mesh:0.1.0 .
FROM node:24-slim

# iptables (nft backend) for weft-init; openssl for the injector's webhook certificate.
RUN apt-get update \
  && apt-get install -y --no-install-recommends iptables openssl ca-certificates \
  && rm -rf /var/lib/apt/lists/*

WORKDIR /weft
RUN corepack enable && corepack prepare pnpm@10.34.9 --activate

# Manifests first, so dependency layers are cached across source edits.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc tsconfig.base.json ./
COPY packages/api/package.json packages/api/
COPY packages/identity/package.json packages/identity/
COPY packages/control-plane/package.json packages/control-plane/
COPY packages/proxy/package.json packages/proxy/
# The proxy's SO_ORIGINAL_DST addon is compiled by its install script; the
# compiler leaves the image in the same layer.
COPY packages/original-dst/package.json packages/original-dst/
COPY packages/original-dst/scripts packages/original-dst/scripts
COPY packages/original-dst/src packages/original-dst/src
RUN apt-get update \
  && apt-get install -y --no-install-recommends gcc libc6-dev \
  && pnpm install --frozen-lockfile --prod \
    --filter @weft/api --filter @weft/identity --filter @weft/control-plane --filter @weft/proxy \
    --filter @weft/original-dst \
  && test -f packages/original-dst/build/original_dst.node \
  && apt-get purge -y --auto-remove gcc libc6-dev \
  && rm -rf /var/lib/apt/lists/*

COPY packages/api packages/api
COPY packages/identity/src packages/identity/src
COPY packages/control-plane/src packages/control-plane/src
COPY packages/proxy/src packages/proxy/src
RUN pnpm --filter @weft/api generate

COPY deploy/docker/bin/ /usr/local/bin/
ENV NODE_ENV=production
# The proxy runs as uid 2102 (set by the injector); other components as node.
# Numeric, so the kubelet can verify runAsNonRoot (uid 1000 is "node" in this image).
USER 1000:1000
ENTRYPOINT ["weft-component"]
