import type { V1Container, V1PodSpec, V1SecurityContext } from '@kubernetes/client-node';

// The "restricted" Pod Security Standard, as the API server's admission
// enforces it on a namespace labelled pod-security.kubernetes.io/enforce:
// restricted (kubernetes.io/docs/concepts/security/pod-security-standards).
// No npm package implements it, so its rules are listed here, each as the
// standard words it, to hold manifests to it before a cluster refuses them.

const VOLUME_TYPES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];

/** Why the pod spec would be refused in a restricted namespace; empty when it is admitted. */
export function restrictedViolations(pod: V1PodSpec): string[] {
  const out: string[] = [];
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) out.push('host namespaces');
  for (const v of pod.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (!type || !VOLUME_TYPES.includes(type)) out.push(`volume ${v.name}: type ${type}`);
  }
  const podContext = pod.securityContext ?? {};
  const containers: V1Container[] = [...(pod.initContainers ?? []), ...pod.containers];
  for (const c of containers) {
    const sc: V1SecurityContext = c.securityContext ?? {};
    const at = `container ${c.name}`;
    if (sc.privileged) out.push(`${at}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${at}: allowPrivilegeEscalation is not false`);
    if ((sc.runAsNonRoot ?? podContext.runAsNonRoot) !== true) out.push(`${at}: runAsNonRoot is not true`);
    if ((sc.runAsUser ?? podContext.runAsUser) === 0) out.push(`${at}: runAsUser 0`);
    const seccomp = (sc.seccompProfile ?? podContext.seccompProfile)?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') out.push(`${at}: seccompProfile ${seccomp}`);
    if (!sc.capabilities?.drop?.includes('ALL')) out.push(`${at}: capabilities do not drop ALL`);
    for (const cap of sc.capabilities?.add ?? []) if (cap !== 'NET_BIND_SERVICE') out.push(`${at}: adds ${cap}`);
    for (const p of c.ports ?? []) if (p.hostPort) out.push(`${at}: hostPort ${p.hostPort}`);
  }
  return out;
}
