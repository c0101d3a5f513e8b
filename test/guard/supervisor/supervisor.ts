/**
 * A supervisor to be killed: creates groups, starts a tree in each, prints
 * what it made as one JSON line, then idles until it is killed.
 *   tsx supervisor.ts '<SupervisorPlan as JSON>'
 * SIGUSR2 makes it print again (after its guard was replaced, say).
 */
import { ProcessGroup } from '../../../src/index.js';
import { currentGuardPid } from '../../../src/guard/group-guard.js';

export interface SupervisorPlan {
  mechanism: 'cgroup' | 'pgroup' | 'auto';
  groups: number;
  /** The sh script each group's tree runs. */
  script: string;
  cgroupParent?: string;
  /** How many of the groups (the first ones) stand down with spare() once their tree is up. */
  spared?: number;
  /** ProcessGroup.create's `guard` option (default true). */
  guard?: boolean;
}

const plan = JSON.parse(process.argv[2]!) as SupervisorPlan;
const groups: ProcessGroup[] = [];
for (let i = 0; i < plan.groups; i++) {
  const group = await ProcessGroup.create({
    mechanism: plan.mechanism,
    guard: plan.guard ?? true,
    ...(plan.cgroupParent ? { cgroupParent: plan.cgroupParent } : {}),
  });
  group.spawn('sh', ['-c', plan.script], { stdio: 'ignore' });
  if (i < (plan.spared ?? 0)) group.spare();
  groups.push(group);
}
const report = () =>
  console.log(
    JSON.stringify({ guardPid: currentGuardPid(), cgroupPaths: groups.map((g) => g.cgroupPath).filter(Boolean) }),
  );
report();
process.on('SIGUSR2', report);
setInterval(() => {}, 1 << 30);
