import { ProxyError } from '../errors.ts';
import type { ForwardPolicy } from '../route/policy.ts';

/** The answer a request gets when no response head arrived in time (the route's timeout, else the listener's). */
export function responseTimeoutError(target: string, policy: ForwardPolicy): ProxyError {
  return new ProxyError(
    'WEFT_PROXY_RESPONSE_TIMEOUT',
    `${target}: no response within ${policy.timeoutIsRoute ? "the route's " : ''}${policy.responseTimeoutMs}ms`,
  );
}
