/**
 * A supervisor that uses a group and then simply runs out of work: the guard
 * (unref'd, pipe included) must not keep it alive. Prints the guard's pid.
 *   tsx exits-naturally.ts <mechanism> [cgroupParent]
 */
import { ProcessGroup } from '../../../src/index.js';
import { currentGuardPid } from '../../../src/guard/group-guard.js';

const [mechanism, cgroupParent] = process.argv.slice(2) as ['cgroup' | 'pgroup', string | undefined];
const group = await ProcessGroup.create({ mechanism, ...(cgroupParent ? { cgroupParent } : {}) });
const child = group.spawn('sleep', ['1000'], { stdio: 'ignore' });
await new Promise((resolve) => child.once('spawn', resolve));
console.log(JSON.stringify({ guardPid: currentGuardPid() }));
await group.close();
