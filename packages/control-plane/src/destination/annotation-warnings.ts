import { type ControlPlaneError, cpError, ErrorCode } from '../errors.ts';
import { readFailureAccrual } from '../resources/failure-accrual.ts';
import { keyOf, type Service } from '../resources/types.ts';
import type { ResourceStore } from '../store/store.ts';

// Annotations the destination service reads but cannot use are ignored one
// by one (the rest of the Service still applies). Whoever wrote them hears of
// it here: once per version of the Service, when it is loaded or changes,
// rather than once for every profile stream built from it.

export type WarningSink = (warning: ControlPlaneError) => void;

/** Reports the ignored annotations of every Service now and of each Service as it changes; returns the unsubscribe. */
export function warnIgnoredAnnotations(store: ResourceStore, warn: WarningSink = logWarning): () => void {
  const check = (service: Service) => {
    const name = keyOf(service.meta);
    for (const { annotation, value, reason } of readFailureAccrual(service.meta.annotations).ignored) {
      const message = `Service ${name}: annotation ${annotation}: ${JSON.stringify(value)} ignored: ${reason}`;
      warn(cpError(ErrorCode.InvalidAnnotation, message, { service: name, annotation, value }));
    }
  };
  for (const service of store.state.list('Service')) check(service);
  return store.subscribe((changes) => {
    for (const key of changes.keys.get('Service') ?? []) {
      const [namespace = '', name = ''] = key.split('/');
      const service = store.state.get('Service', namespace, name);
      if (service) check(service);
    }
  });
}

function logWarning(warning: ControlPlaneError): void {
  console.error(JSON.stringify({ level: 'warn', code: warning.code, msg: warning.message, ...warning.context }));
}
