// A pods runner cut down to its network: sets it up (argv: the options as
// JSON), starts a long sleep in the first pod as an app would run there,
// prints the plan and the sleeper's pid, and holds until killed. The tests
// SIGKILL it to leave what a crashed runner leaves.
import { spawn } from 'node:child_process';
import { podCommand } from '../../src/pods/pod-command.ts';
import { startPodNetwork } from '../../src/pods/pod-network.ts';

const network = await startPodNetwork(JSON.parse(process.argv[2] as string));
const first = network.plan.pods[0];
if (!first) throw new Error('hold-pod-network needs a workload');
const { command, args } = podCommand(first.netns, ['sleep', '300']);
const sleeper = spawn(command, args, { stdio: 'ignore', detached: true });
sleeper.unref();
process.stdout.write(`${JSON.stringify({ plan: network.plan, sleeper: sleeper.pid })}\n`);
setInterval(() => {}, 60_000);
