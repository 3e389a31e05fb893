// Original file: proto/destination.proto


export interface GetDestination {
  /**
   * "k8s" on Kubernetes, "local" for the local runner.
   */
  'scheme'?: (string);
  /**
   * The authority asked for: `name:port`, e.g. `web-svc.emojivoto.svc.cluster.local:80`.
   */
  'path'?: (string);
  /**
   * JSON {"ns": ..., "pod": ...} of the asking workload.
   */
  'contextToken'?: (string);
}

export interface GetDestination__Output {
  /**
   * "k8s" on Kubernetes, "local" for the local runner.
   */
  'scheme': (string);
  /**
   * The authority asked for: `name:port`, e.g. `web-svc.emojivoto.svc.cluster.local:80`.
   */
  'path': (string);
  /**
   * JSON {"ns": ..., "pod": ...} of the asking workload.
   */
  'contextToken': (string);
}
