export { type ControlPlaneConfig, identityName, loadConfig } from './config.ts';
export { createStore, grpcServer, type RunningControlPlane, startControlPlane } from './control-plane.ts';
// The Kubernetes backend is reached through createStore, which loads its client only when asked for.
export { ControlPlaneError, ErrorCode } from './errors.ts';
export { parseResource } from './resources/parse.ts';
export type * from './resources/types.ts';
export { LocalStore } from './store/local/local-store.ts';
export type { ResourceStore, StoreProblem } from './store/store.ts';
