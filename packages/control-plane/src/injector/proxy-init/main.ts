#!/usr/bin/env node
// weft-proxy-init: installs the pod's iptables redirect before any other
// container starts. Run by the init container the injector adds; safe to run
// again (a restarted init container leaves the same rules).
import { parseProxyInitArgs } from './args.ts';
import { chooseFirewall, restoreNat, saveNat } from './firewall.ts';
import { natRules } from './rules.ts';

try {
  const options = parseProxyInitArgs(process.argv.slice(2));
  for (const family of options.ipv6 ? ([4, 6] as const) : ([4] as const)) {
    const fw = chooseFirewall(options.iptablesMode, family);
    if (fw.mode !== options.iptablesMode)
      console.warn(`proxy-init: no ${options.iptablesMode} iptables installed; using ${fw.restore}`);
    restoreNat(fw, natRules(options, family, saveNat(fw)));
    console.log(`proxy-init: IPv${family} rules installed with ${fw.restore}\n${saveNat(fw)}`);
  }
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
