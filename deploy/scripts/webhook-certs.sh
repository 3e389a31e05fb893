#!/bin/sh
# Makes the proxy injector's serving certificate with openssl (ECDSA P-256):
# a CA of the webhook's own and, signed by it, a certificate for the names
# the API server calls it by (weft-proxy-injector.weft-system.svc and
# ….svc.cluster.local). Stores them in Secret weft-proxy-injector-k8s-tls
# (tls.crt, tls.key, ca.crt), which every injector replica serves, and writes
# the CA into the MutatingWebhookConfiguration's caBundle, so the API server
# trusts exactly this certificate. Run it after applying deploy/control-plane/
# (the webhook configuration must exist), and again to rotate; the injector
# pods wait for the Secret and pick up a new one when restarted.
#   deploy/scripts/webhook-certs.sh [--print] [DIR]
# --print writes the Secret and the caBundle patch to stdout instead of
# applying them, and needs no cluster.
set -eu
PRINT=false
if [ "${1:-}" = --print ]; then PRINT=true; shift; fi
DIR="${1:-$(mktemp -d)}"
NS=weft-system
SVC=weft-proxy-injector
WEBHOOK=weft-proxy-injector-webhook-config
CLUSTER_DOMAIN=cluster.local
DAYS=365
mkdir -p "$DIR"
cd "$DIR"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$DAYS" \
  -subj "/CN=webhook.$SVC.$NS" \
  -addext basicConstraints=critical,CA:TRUE,pathlen:0 -addext keyUsage=critical,keyCertSign,cRLSign \
  -keyout webhook-ca.key -out webhook-ca.crt 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -subj "/CN=$SVC.$NS.svc" -keyout webhook.key -out webhook.csr 2>/dev/null
printf '%s\n' 'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature' \
  'extendedKeyUsage=serverAuth' "subjectAltName=DNS:$SVC.$NS.svc,DNS:$SVC.$NS.svc.$CLUSTER_DOMAIN" > webhook.ext
openssl x509 -req -in webhook.csr -CA webhook-ca.crt -CAkey webhook-ca.key -CAcreateserial -days "$DAYS" \
  -extfile webhook.ext -out webhook.crt 2>/dev/null
# Rotation makes a new CA with the certificate, so its key has signed all it ever will.
rm -f webhook-ca.key

SECRET=$(kubectl create secret generic weft-proxy-injector-k8s-tls -n "$NS" --type=kubernetes.io/tls \
  --from-file=tls.crt=webhook.crt --from-file=tls.key=webhook.key --from-file=ca.crt=webhook-ca.crt \
  --dry-run=client -o yaml)
PATCH="[{\"op\":\"add\",\"path\":\"/webhooks/0/clientConfig/caBundle\",\"value\":\"$(base64 < webhook-ca.crt | tr -d '\n')\"}]"
if [ "$PRINT" = true ]; then
  printf '%s\n' "$SECRET"
  printf '# kubectl patch mutatingwebhookconfiguration %s --type=json -p\n# %s\n' "$WEBHOOK" "$PATCH"
  exit 0
fi
printf '%s\n' "$SECRET" | kubectl apply -f -
kubectl patch mutatingwebhookconfiguration "$WEBHOOK" --type=json -p "$PATCH"
echo "webhook certificate written to $DIR, Secret $NS/weft-proxy-injector-k8s-tls and $WEBHOOK's caBundle" >&2
