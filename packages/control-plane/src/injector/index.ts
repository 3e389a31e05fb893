// The injector's public surface: the pure transform (used offline by
// `weft inject`) and the webhook that wraps it.
export type { AdmissionReviewResponse, NamespaceLookup } from './admission.ts';
export { review } from './admission.ts';
export { CONFIG_PREFIX, INJECT_ANNOTATION, RECORD, resolveProxySettings } from './annotations.ts';
export type { InjectorConfig } from './config.ts';
export { DEFAULT_INJECTOR_CONFIG, readInjectorConfig, WEFT_VERSION } from './config.ts';
export { INIT_CONTAINER, initArgs, PROXY_CONTAINER } from './containers.ts';
export { InjectorError, InjectorErrorCode, isInjectorError } from './errors.ts';
export type { PatchOperation } from './json-patch.ts';
export { applyPatch } from './json-patch.ts';
export { chooseFirewall } from './proxy-init/firewall.ts';
export type { InjectInput, InjectResult, PodOwner, SkipReason } from './transform.ts';
export { injectionDecision, injectPod } from './transform.ts';
