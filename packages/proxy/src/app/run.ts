import { watchPort } from '../policy/client.ts';
import { defaultPolicy } from '../policy/default-policy.ts';
import { DestinationResolver } from '../resolve/destination.ts';
import { directResolver } from '../resolve/direct.ts';
import { identityFromFiles } from '../tls/file-identity.ts';
import { readConfig } from './env.ts';
import { isLogLevel, log, setLogLevel } from './log.ts';
import { Sidecar } from './proxy.ts';

// The sidecar's start-up: configuration from WEFT_PROXY_* variables, a
// certificate from the identity service, discovery from the destination
// service, and a graceful drain on SIGTERM/SIGINT.

const config = readConfig((name) => process.env[name]);
if (isLogLevel(config.logLevel)) setLogLevel(config.logLevel);

const id = config.identity;
// Loaded only when used: the identity client brings X.509 and CSR libraries
// that a proxy with file-provisioned certificates does not need in memory.
const identityClient =
  id?.kind === 'service'
    ? await import('@weft/identity').then(({ IdentityClient, tokenFromFile }) =>
        new IdentityClient({
          address: id.serviceAddr,
          identity: id.name,
          serverIdentity: id.serviceName,
          trustAnchorsPem: id.trustAnchorsPem,
          token: tokenFromFile(id.tokenFile),
        }).start(),
      )
    : undefined;
const identity =
  id?.kind === 'files' ? identityFromFiles(id.name, id.certFile, id.keyFile, id.trustAnchorsPem) : identityClient;
// readConfig has checked that a control-plane name comes with an identity of our own.
const controlPlaneTls = (serverName: string | undefined) =>
  serverName && identity ? { identity, serverName } : undefined;
const destination = config.destinationAddr
  ? new DestinationResolver({
      addr: config.destinationAddr,
      scheme: config.destinationScheme,
      contextToken: config.contextToken,
      tls: controlPlaneTls(config.destinationName),
    })
  : undefined;
const policyConfig = config.policy;
const policyClient =
  policyConfig.workload && policyConfig.addr
    ? policyConfig.addr === config.destinationAddr && policyConfig.name === config.destinationName && destination
      ? destination
      : new DestinationResolver({
          addr: policyConfig.addr,
          scheme: '',
          contextToken: '',
          tls: controlPlaneTls(policyConfig.name),
        })
    : undefined;

const workload = policyConfig.workload;
// Each port of the app is selected by its own Server (WatchPort), the default policy until it answers.
const portPolicy =
  policyClient && workload
    ? (port: number) =>
        watchPort(policyClient, workload, port, defaultPolicy(policyConfig.defaultPolicy, policyConfig.clusterNetworks))
    : undefined;

const sidecar = new Sidecar({
  config,
  identity,
  resolver: destination ?? directResolver,
  policy: portPolicy?.(policyConfig.port ?? config.appAddr.port),
  policyFor: portPolicy,
  extraMetrics: identityClient ? () => identityClient.metrics.render() : undefined,
});
const addresses = await sidecar.start();
log.info('listening', {
  outbound: addresses.outbound.port,
  inbound: addresses.inbound.port,
  admin: addresses.admin.port,
  tap: addresses.tap?.port ?? null,
  tracing: config.trace.collector ?? null,
  upstreams: Object.fromEntries([...addresses.upstreams].map(([authority, a]) => [authority, a.port])),
  identity: config.identity?.name ?? null,
});
if (identity && !identity.current) {
  const warn = setInterval(() => log.warn('waiting for identity to be initialized'), 15_000);
  identity.ready().then(() => clearInterval(warn));
}

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await sidecar.shutdown();
  identityClient?.close();
  destination?.close();
  log.info('stopped');
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
sidecar.onShutdown(stop);
