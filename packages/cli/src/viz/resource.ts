import { CliError, CliErrorCode } from '../errors.ts';

// Resource arguments as Linkerd takes them: `deploy`, `deploy/web`, `deploy web`.

export type ResourceKind = 'deployment' | 'pod' | 'service' | 'route';

const KINDS: Record<string, ResourceKind> = {
  deploy: 'deployment',
  deployment: 'deployment',
  deployments: 'deployment',
  po: 'pod',
  pod: 'pod',
  pods: 'pod',
  svc: 'service',
  service: 'service',
  services: 'service',
  rt: 'route',
  route: 'route',
  routes: 'route',
};

export interface ResourceRef {
  readonly kind: ResourceKind;
  /** One resource, or every one of the kind when absent. */
  readonly name?: string;
}

export function parseResource(args: readonly string[], allowed: readonly ResourceKind[]): ResourceRef {
  const [first, second, ...rest] = args;
  if (!first) throw new CliError(CliErrorCode.Usage, `a resource type is required: ${allowed.join(', ')}`);
  const [kindText = '', slashName] = first.split('/', 2);
  const kind = KINDS[kindText.toLowerCase()];
  if (!kind || !allowed.includes(kind)) {
    throw new CliError(CliErrorCode.Usage, `unsupported resource type "${kindText}"; use one of ${allowed.join(', ')}`);
  }
  const name = slashName ?? second;
  if ((slashName !== undefined && second !== undefined) || rest.length > 0) {
    throw new CliError(CliErrorCode.Usage, `unexpected arguments: ${args.slice(slashName ? 1 : 2).join(' ')}`);
  }
  if (name === '') throw new CliError(CliErrorCode.Usage, `"${first}" names no resource`);
  return { kind, name };
}
