/**
 * `weft profile --template`: a commented ServiceProfile to edit by hand,
 * covering each field Weft acts on. It is valid as printed.
 */
export function profileTemplate(name: string, namespace: string): string {
  return `apiVersion: weft.dev/v1alpha2
kind: ServiceProfile
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  # Routes: Weft reports request volume, success rate and latency per route
  # (the rt_route label), and applies retries and timeouts per route.
  routes:
  - name: GET /books/{id}
    # A request counts towards the first route whose condition it matches.
    condition:
      # Match on the method, on a regex over the whole path, or both; "all",
      # "any" and "not" combine conditions.
      method: GET
      pathRegex: /books/[^/]*
    # Which responses count as failures. Without this, 5xx responses do.
    responseClasses:
    - condition:
        status:
          min: 500
          max: 599
      isFailure: true
    # Failed requests on a retryable route are retried within the budget below.
    isRetryable: false
    # The proxy answers 504 when the route takes longer than this.
    timeout: 300ms
  # At most this ratio of extra load from retries, and at least this many
  # retries per second, counted over the ttl window.
  retryBudget:
    retryRatio: 0.2
    minRetriesPerSecond: 10
    ttl: 10s
`;
}
