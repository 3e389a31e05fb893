#!/bin/sh
# Creates the mesh's trust anchor and issuer with openssl (ECDSA P-256) and
# stores them in the cluster: the anchor's certificate in ConfigMap
# weft-identity-trust-roots (key ca-bundle.crt), read by identity and the
# injector; the issuer in Secret weft-identity-issuer (tls.crt, tls.key),
# read by identity only. The anchor's key is left in $DIR for rotation.
#   deploy/scripts/identity-certs.sh [--print] [DIR]
# --print writes the ConfigMap and the Secret to stdout instead of applying
# them, and needs no cluster.
set -eu
PRINT=false
if [ "${1:-}" = --print ]; then PRINT=true; shift; fi
DIR="${1:-$(mktemp -d)}"
NS=weft-system
TRUST_DOMAIN=cluster.local
mkdir -p "$DIR"
cd "$DIR"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
  -subj "/CN=root.$NS.$TRUST_DOMAIN" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
  -keyout ca.key -out ca.crt
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -subj "/CN=identity.$NS.$TRUST_DOMAIN" -keyout issuer.key -out issuer.csr
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' > issuer.ext
openssl x509 -req -in issuer.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 \
  -extfile issuer.ext -out issuer.crt

MANIFESTS=$(kubectl create configmap weft-identity-trust-roots -n "$NS" --from-file=ca-bundle.crt=ca.crt \
  --dry-run=client -o yaml && echo --- \
  && kubectl create secret tls weft-identity-issuer -n "$NS" --cert=issuer.crt --key=issuer.key \
  --dry-run=client -o yaml)
if [ "$PRINT" = true ]; then
  printf '%s\n' "$MANIFESTS"
  exit 0
fi
printf '%s\n' "$MANIFESTS" | kubectl apply -f -
echo "trust anchor and issuer written to $DIR and to namespace $NS" >&2
