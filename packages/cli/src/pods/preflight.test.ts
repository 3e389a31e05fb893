import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliErrorCode } from '../errors.ts';
import { checkHost } from './preflight.ts';

// The machine's facts are handed in, so each refusal is shown on this one
// machine; PATH is a real folder holding only the tools each case allows.
describe('what pods mode asks of the machine', () => {
  const path = process.env.PATH ?? '';
  let bin: string | undefined;
  afterEach(() => {
    if (bin) rmSync(bin, { recursive: true, force: true });
    bin = undefined;
  });
  const pathWith = (...tools: string[]) => {
    bin = mkdtempSync(join(tmpdir(), 'weft-pods-path-'));
    for (const tool of tools) symlinkSync(execFileSync('which', [tool], { encoding: 'utf8' }).trim(), join(bin, tool));
    return bin;
  };
  const refusal = (code: string, message: string) =>
    expect.objectContaining({ code, message: expect.stringContaining(message) });

  it('runs here, as root on Linux with ip and iptables', () => {
    expect(() => checkHost({ platform: 'linux', uid: 0, path })).not.toThrow();
  });

  it('refuses another system with NOT_LINUX', () => {
    expect(() => checkHost({ platform: 'darwin', uid: 0, path })).toThrow(
      refusal(CliErrorCode.PodsNotLinux, 'this is darwin'),
    );
  });

  it('refuses a user other than root with NOT_ROOT', () => {
    expect(() => checkHost({ platform: 'linux', uid: 1000, path })).toThrow(
      refusal(CliErrorCode.PodsNotRoot, 'run as root (uid is 1000)'),
    );
  });

  it('refuses a machine without ip with NO_IP', () => {
    expect(() => checkHost({ platform: 'linux', uid: 0, path: pathWith('iptables-save', 'iptables-restore') })).toThrow(
      refusal(CliErrorCode.PodsNoIp, 'install iproute2'),
    );
  });

  it('refuses a machine without any iptables with NO_IPTABLES', () => {
    expect(() => checkHost({ platform: 'linux', uid: 0, path: pathWith('ip') })).toThrow(
      refusal(CliErrorCode.PodsNoIptables, 'install iptables'),
    );
  });
});
