import { readFileSync } from 'node:fs';

// CPU time and resident memory of a process and its children, from /proc.

const TICKS = 100;

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function tree(pid: number): number[] {
  return [pid, ...children(pid).flatMap(tree)];
}

/** CPU seconds (user + system) used so far by `pid` and its children. */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of tree(pid)) {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {}
  }
  return ticks / TICKS;
}

/** Resident memory in bytes of `pid` and its children. */
export function rssBytes(pid: number): number {
  let kb = 0;
  for (const p of tree(pid)) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      kb += Number(m?.[1] ?? 0);
    } catch {}
  }
  return kb * 1024;
}

/** What one process used over a phase: its peak resident memory and CPU time. */
export interface ProcessUse {
  readonly peakRssMiB: number;
  readonly cpuSeconds: number;
}

/** Samples `pids` from now until the returned function is called (every 200 ms for RSS). */
export function sampleUse(pids: readonly number[]): () => ProcessUse[] {
  const cpu0 = pids.map(cpuSeconds);
  const peak = pids.map(rssBytes);
  const sampler = setInterval(() => {
    pids.forEach((pid, i) => {
      peak[i] = Math.max(peak[i] as number, rssBytes(pid));
    });
  }, 200);
  return () => {
    clearInterval(sampler);
    return pids.map((pid, i) => ({
      peakRssMiB: Math.max(peak[i] as number, rssBytes(pid)) / 2 ** 20,
      cpuSeconds: cpuSeconds(pid) - (cpu0[i] as number),
    }));
  };
}
