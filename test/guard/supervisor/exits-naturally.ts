/**
 * A supervisor that uses a group and then ends by itself: the guard
 * (unref'd, pipe included) must not keep it alive. Prints the guard's pid
 * and the group's directory.
 *   tsx exits-naturally.ts <mechanism> <close|exit> [cgroupParent]
 * close: closes the group and lets the event loop run dry;
 * exit:  leaves the group open with its tree and calls process.exit(0).
 */
import { ProcessGroup } from '../../../src/index.js';
import { currentGuardPid } from '../../../src/guard/group-guard.js';

const [mechanism, ending, cgroupParent] = process.argv.slice(2) as [
  'cgroup' | 'pgroup',
  'close' | 'exit',
  string | undefined,
];
const group = await ProcessGroup.create({ mechanism, ...(cgroupParent ? { cgroupParent } : {}) });
const child = group.spawn('sh', ['-c', 'sleep 1000 & exec sleep 1000'], { stdio: 'ignore' });
await new Promise((resolve) => child.once('spawn', resolve));
console.log(JSON.stringify({ guardPid: currentGuardPid(), cgroupPath: group.cgroupPath }));
if (ending === 'exit') process.exit(0);
await group.close();
