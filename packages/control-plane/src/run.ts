// Starts the control plane from WEFT_CP_* variables; main.ts loads it after enabling the compile cache.
import { loadConfig } from './config.ts';
import { startControlPlane } from './control-plane.ts';

const log = (level: string, msg: string, fields: Record<string, unknown> = {}) =>
  console.error(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));

try {
  const cfg = loadConfig();
  const cp = await startControlPlane(cfg);
  log('info', 'control plane listening', {
    backend: cfg.backend,
    grpc: `${cfg.listen.host}:${cp.grpcPort}`,
    admin: `${cfg.admin.host}:${cp.adminPort}`,
    resourceDir: cfg.backend === 'local' ? cfg.resourceDir : undefined,
    identity: cfg.identity?.name ?? null,
  });
  if (!cfg.identity) {
    log('warn', 'serving plaintext: callers are not authenticated and registration is open (WEFT_CP_PLAINTEXT=true)');
  }
  void cp.store.ready().then(() => log('info', 'resources loaded'));
  const stop = (signal: string) => {
    log('info', 'shutting down', { signal });
    void cp.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
} catch (err) {
  log('error', 'control plane failed to start', { err: (err as Error).message });
  process.exit(1);
}
