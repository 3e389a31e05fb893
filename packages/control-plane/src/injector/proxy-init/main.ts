// weft-init: installs the pod's iptables redirect before any other container
// starts. Run by the init container the injector adds.
import { execFileSync } from 'node:child_process';
import { parseProxyInitArgs } from './args.ts';
import { alreadyInstalled, natRules } from './rules.ts';

try {
  const options = parseProxyInitArgs(process.argv.slice(2));
  const saved = execFileSync(options.firewallSaveBinPath, ['-t', 'nat'], { encoding: 'utf8' });
  if (alreadyInstalled(saved)) {
    console.log('proxy-init: rules already installed, nothing to do');
  } else {
    const rules = natRules(options);
    // --noflush keeps rules other software (e.g. a CNI) put in PREROUTING/OUTPUT.
    execFileSync(`${options.firewallBinPath}-restore`, ['--noflush'], {
      input: rules,
      stdio: ['pipe', 'inherit', 'inherit'],
    });
    console.log(`proxy-init: installed\n${rules}`);
  }
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
