import type { Command, CommandIo } from '../command.ts';
import { DEFAULT_WEB_PORT, type DevFlags, parseDevFlags } from '../dev/dev-flags.ts';
import { acquireDevLock, type DevLock } from '../dev/dev-lock.ts';
import { emojivotoSpecs } from '../dev/emojivoto.ts';
import { freePort, freePorts } from '../dev/free-port.ts';
import { startLocalMesh } from '../dev/local-mesh.ts';
import { painter } from '../dev/log-prefix.ts';
import { startPodsMesh } from '../dev/pods-mesh.ts';
import { SIDECAR_GRACE_SECONDS } from '../dev/sidecar.ts';
import { Supervisor } from '../dev/supervisor.ts';
import { CliError, CliErrorCode, failWith, formatCliError } from '../errors.ts';
import { checkHost } from '../pods/preflight.ts';

const USAGE = `Run the local mesh with emojivoto: identity, control plane, viz, and every
emojivoto workload (emoji, voting, web, vote-bot) behind its own sidecar.

web's sidecar answers the browser on port 8080 when it is free, so what the
browser does is seen by the mesh. Ctrl-C (or SIGTERM, SIGHUP) drains the
sidecars and stops every process started; they stop with weft dev even when it
is killed. A process that exits after it was ready is started again, on the
same ports, after 0.5 s doubling up to 10 s; \`weft check\` shows its restarts.
One that fails before it is ready stops weft dev with exit code 1, naming it.
One weft dev runs per directory (.weft/dev/lock).

With --pods (Linux, as root) every workload runs in a network namespace of
its own, as on Kubernetes: proxy-init's iptables rules, Services on virtual
IPs, names resolved in each pod, the apps configured with plain service
addresses (emoji-svc:8080). The resource folder's Deployments run as pods too.
Everything it made (namespaces, veths, the bridge) is removed when it stops,
or by the next start when it was killed. Elsewhere it says why, and runs on loopback.

Usage:
  weft dev [flags]

Flags:
      --web-port PORT          port of the web UI (default 8080 if free; 0 picks any free port)
      --no-bot                 do not start the vote-bot
      --canary                 also run web-v2 (Service web-svc-v2, banner "v2") for the workshop's canary
      --resources DIR          the folder the control plane reads and watches (default deploy/local/resources)
      --no-mesh                emojivoto alone: four processes, no sidecars
      --pods                   every workload in its own network namespace (Linux, root); --web-port does not apply
      --proxy-log-level LEVEL  the sidecars' log level: debug, info, warn, error, off (default warn)
      --ready-timeout SECS     how long each process may take to become ready (default 30)
      --otlp URL               also send every trace, the apps' and the proxies', to this OTLP/gRPC
                               collector (Jaeger: http://localhost:4317); default OTEL_EXPORTER_OTLP_ENDPOINT
`;

async function chooseWebPort(requested: number | undefined): Promise<number> {
  if (requested === undefined) return freePort(DEFAULT_WEB_PORT, '127.0.0.1');
  if (requested === 0) return freePort(0, '127.0.0.1');
  const port = await freePort(requested, '127.0.0.1');
  if (port !== requested) throw new CliError(CliErrorCode.Usage, `port ${requested} is already in use`);
  return port;
}

// SIGHUP: the terminal went away.
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Resolves with the signal that asks us to stop. */
function stopSignal(): { received: Promise<NodeJS.Signals>; dispose(): void } {
  let handler: (signal: NodeJS.Signals) => void = () => {};
  const received = new Promise<NodeJS.Signals>((resolve) => {
    handler = resolve;
  });
  for (const signal of STOP_SIGNALS) process.on(signal, handler);
  return {
    received,
    dispose: () => {
      for (const signal of STOP_SIGNALS) process.off(signal, handler);
    },
  };
}

/** What a started runtime tells the user, and how it stops. */
interface Started {
  readonly lines: readonly string[];
  stop(): Promise<void>;
}

async function startUnmeshed(supervisor: Supervisor, flags: DevFlags, web: number, io: CommandIo): Promise<Started> {
  const [emojiGrpc, emojiProm, votingGrpc, votingProm] = (await freePorts(5)).filter((p) => p !== web);
  const ports = {
    web,
    emojiGrpc: emojiGrpc as number,
    emojiProm: emojiProm as number,
    votingGrpc: votingGrpc as number,
    votingProm: votingProm as number,
  };
  await supervisor.start(emojivotoSpecs(ports, io.env, { withBot: flags.withBot }));
  return {
    lines: [
      `emojivoto is up: open http://localhost:${web} (no mesh)`,
      `metrics: emoji http://localhost:${ports.emojiProm}/metrics, voting http://localhost:${ports.votingProm}/metrics`,
    ],
    stop: () => supervisor.stop(),
  };
}

async function startMeshed(supervisor: Supervisor, flags: DevFlags, web: number, io: CommandIo): Promise<Started> {
  const mesh = await startLocalMesh(supervisor, {
    stateDir: process.cwd(),
    withBot: flags.withBot,
    withCanary: flags.withCanary,
    resourcesDir: flags.resourcesDir,
    webPort: web,
    proxyLogLevel: flags.proxyLogLevel,
    env: io.env,
    write: (text) => io.stdout.write(text),
  });
  return {
    lines: [
      `dashboard: ${mesh.viz.address}/ (the mesh, live; \`weft dashboard\` opens it)`,
      `emojivoto is up: open ${mesh.webUrl} (web's sidecar)`,
      `viz API:  ${mesh.viz.address} (found by weft through ${mesh.viz.stateFile})`,
      otlpLine(mesh.viz.otlpGrpcAddress, io),
      'try, in another terminal (weft is bin/weft; export PATH="$PWD/bin:$PATH" once):',
      '  weft stat deploy -n emojivoto',
      '  weft edges deploy -n emojivoto',
      '  weft trace',
      '  weft tap deploy/web -n emojivoto',
    ],
    stop: () => mesh.stop(),
  };
}

async function startPods(supervisor: Supervisor, flags: DevFlags, _web: number, io: CommandIo): Promise<Started> {
  const mesh = await startPodsMesh(supervisor, {
    stateDir: process.cwd(),
    withBot: flags.withBot,
    withCanary: flags.withCanary,
    resourcesDir: flags.resourcesDir,
    proxyLogLevel: flags.proxyLogLevel,
    env: io.env,
    write: (text) => io.stdout.write(text),
  });
  const { plan } = mesh.network;
  return {
    lines: [
      `dashboard: ${mesh.core.viz.address}/ (the mesh, live; \`weft dashboard\` opens it)`,
      `emojivoto is up: open ${mesh.webUrl} (web's pod, through its sidecar)`,
      `viz API:  ${mesh.core.viz.address}`,
      otlpLine(mesh.core.viz.otlpGrpcAddress, io),
      ...plan.pods.map((p) => `pod ${p.namespace}/${p.workload}-0: ${p.address} (ip netns exec ${p.netns} …)`),
      ...plan.services.map((s) => `Service ${s.namespace}/${s.name}: ${s.clusterIP}`),
      'try, in another terminal: weft stat deploy -n emojivoto; weft edges deploy -n emojivoto',
    ],
    stop: () => mesh.stop(),
  };
}

/** Where the apps send their traces, and where the viz server forwards them with the proxies' spans. */
function otlpLine(receiver: string, io: CommandIo): string {
  const collector = io.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return `OTLP:     ${receiver} (the apps' traces${collector ? `, forwarded with the proxies' spans to ${collector}` : ''})`;
}

/** Pods mode when asked for and the host allows it; otherwise one line saying why, and loopback. */
function chooseRuntime(flags: DevFlags, write: (text: string) => void) {
  if (!flags.mesh) return startUnmeshed;
  if (!flags.pods) return startMeshed;
  try {
    checkHost();
    return startPods;
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    write(`[dev] --pods: ${error.message} (${error.code}); running the mesh on loopback instead\n`);
    return startMeshed;
  }
}

async function run(args: string[], given: CommandIo): Promise<number> {
  const startedAt = performance.now();
  let flags: DevFlags | 'help';
  try {
    flags = parseDevFlags(args);
  } catch (error) {
    given.stderr.write(formatCliError(error));
    return 2;
  }
  if (flags === 'help') {
    given.stdout.write(USAGE);
    return 0;
  }
  // --otlp is OTEL_EXPORTER_OTLP_ENDPOINT, which the apps and the viz server read.
  const io = flags.otlp ? { ...given, env: { ...given.env, OTEL_EXPORTER_OTLP_ENDPOINT: flags.otlp } } : given;
  let lock: DevLock;
  try {
    lock = acquireDevLock(process.cwd());
  } catch (error) {
    return failWith(error, io);
  }
  const write = (text: string) => io.stdout.write(text);
  const useColour = io.env.NO_COLOR === undefined && (io.stdout as { isTTY?: boolean }).isTTY === true;
  const supervisor = new Supervisor({
    write,
    paint: painter(useColour),
    readyTimeoutMs: flags.readyTimeoutMs,
    // A sidecar drains for its grace period before it exits by itself.
    stopGraceMs: (SIDECAR_GRACE_SECONDS + 3) * 1000,
  });
  const signal = stopSignal();
  let started: Started | undefined;
  try {
    const web = await chooseWebPort(flags.webPort);
    if (flags.webPort === undefined && web !== DEFAULT_WEB_PORT) {
      write(`[dev] port ${DEFAULT_WEB_PORT} is in use; web gets port ${web}\n`);
    }
    const starting = chooseRuntime(flags, write)(supervisor, flags, web, io);
    const first = await Promise.race([starting.then(() => 'started' as const), signal.received]);
    if (first !== 'started') {
      // Stopping the processes makes the start under way fail, and stops it spawning more.
      await supervisor.stop();
      await starting.then((s) => s.stop()).catch(() => undefined);
      write(`[dev] ${first} received, stopping\n`);
      return 0;
    }
    started = await starting;
    write(`[dev] √ everything ready (${((performance.now() - startedAt) / 1000).toFixed(1)}s)\n`);
    for (const line of started.lines) write(`[dev] ${line}\n`);
    write('[dev] press Ctrl-C to stop\n');
    write(`[dev] ${await signal.received} received, stopping every process\n`);
    return 0;
  } catch (error) {
    io.stderr.write(formatCliError(error));
    return 1;
  } finally {
    await (started ? started.stop() : supervisor.stop());
    signal.dispose();
    lock.release();
  }
}

const dev: Command = { summary: 'Run the local mesh with emojivoto, every workload behind its own sidecar', run };
export default dev;
