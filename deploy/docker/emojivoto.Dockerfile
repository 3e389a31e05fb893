# emojivoto (web, emoji-svc, voting-svc, vote-bot) in one image; each
# Deployment picks its service with `command: [node, src/<svc>/main.ts]`.
#   docker build -f deploy/docker/emojivoto.Dockerfile -t weft/emojivoto:v11 .
FROM node:24-slim
WORKDIR /weft
RUN corepack enable && corepack prepare pnpm@10.34.9 --activate
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc tsconfig.base.json ./
COPY apps/emojivoto-ts/package.json apps/emojivoto-ts/
RUN pnpm install --frozen-lockfile --prod --filter @weft/emojivoto-ts
COPY apps/emojivoto-ts apps/emojivoto-ts
WORKDIR /weft/apps/emojivoto-ts
ENV NODE_ENV=production
# Numeric, so the kubelet can verify runAsNonRoot (uid 1000 is "node" in this image).
USER 1000:1000
CMD ["node", "src/web/main.ts"]
