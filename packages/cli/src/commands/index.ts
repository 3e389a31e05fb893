import type { Command } from '../command.ts';

// Each command is loaded only when it runs, so `weft stat` does not pay for
// the modules `weft dev` needs. One line per command, sorted by name.
export const COMMANDS: Record<string, () => Promise<{ default: Command }>> = {
  check: () => import('./check.ts'),
  dashboard: () => import('./dashboard.ts'),
  dev: () => import('./dev.ts'),
  diagnostics: () => import('./diagnostics.ts'),
  edges: () => import('./edges.ts'),
  identity: () => import('./identity.ts'),
  inject: () => import('./inject.ts'),
  profile: () => import('./profile.ts'),
  routes: () => import('./routes.ts'),
  stat: () => import('./stat.ts'),
  tap: () => import('./tap.ts'),
  top: () => import('./top.ts'),
  trace: () => import('./trace.ts'),
  version: () => import('./version.ts'),
};
