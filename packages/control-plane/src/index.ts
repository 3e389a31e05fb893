export { type ControlPlaneConfig, identityName, loadConfig } from './config.ts';
export { createStore, grpcServer, type RunningControlPlane, startControlPlane } from './control-plane.ts';
export { ControlPlaneError, ErrorCode } from './errors.ts';
export { parseResource } from './resources/parse.ts';
export type * from './resources/types.ts';
export { K8sStore, loadKubeConfig } from './store/k8s/k8s-store.ts';
export { LocalStore } from './store/local/local-store.ts';
export type { ResourceStore, StoreProblem } from './store/store.ts';
