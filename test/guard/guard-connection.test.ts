/**
 * What the supervisor tells the guard, against a recording fake guard: the
 * records of a group as it changes (only the difference goes out: a
 * fallback group has a record per member, and its members change all
 * through a teardown), and the whole registry for a guard that replaces
 * one that died.
 */
import test from 'ava';
import { GuardConnection } from '../../src/guard/group-guard.js';
import type { GuardRecord } from '../../src/guard/record.js';
import { hermetic } from '../helpers/hermetic.js';

hermetic();

function recordingGuard() {
  const guards: Array<{ sent: string[]; gone: (error?: Error) => void }> = [];
  const start = ({ onGone }: { onGone(error: Error | undefined): void }) => {
    const guard = { sent: [] as string[], gone: (error?: Error) => onGone(error) };
    guards.push(guard);
    const send = (text: string): boolean => {
      guard.sent.push(text);
      return true;
    };
    return { pid: 4242, send };
  };
  return { guards, connection: new GuardConnection(start) };
}

const member = (pid: number): GuardRecord => ({ kind: 'process', pid, startTime: pid * 10 });
const group: GuardRecord = { kind: 'pgroup', pgid: 100, leaderStartTime: 7 };

test('a changed group sends only its new records and forgets only the gone ones', (t) => {
  const { guards, connection } = recordingGuard();
  connection.track('a', [group, member(1), member(2)]);
  t.deepEqual(guards[0]!.sent, ['P 0 100 7\nM 1 1 10\nM 2 2 20\n']);
  connection.track('a', [group, member(1), member(2)]);
  t.is(guards[0]!.sent.length, 1, 'an unchanged group sends nothing');
  connection.track('a', [group, member(2), member(3)]);
  t.is(
    guards[0]!.sent[1],
    'M 3 3 30\nU 1\n',
    'the new member first, then the one gone: never a moment without the group',
  );
  connection.track('a', [group]);
  t.is(guards[0]!.sent[2], 'U 2 3\n');
  connection.untrack('a');
  t.is(guards[0]!.sent[3], 'U 0\n');
});

test('a replacement guard learns every record held, under the slots already given', (t) => {
  const { guards, connection } = recordingGuard();
  connection.track('a', [group, member(1)]);
  connection.track('b', [{ kind: 'cgroup', path: '/sys/fs/cgroup/x' }]);
  connection.track('a', [group, member(5)]);
  guards[0]!.gone();
  t.is(guards.length, 2, 'a guard that died is replaced');
  t.deepEqual(guards[1]!.sent, ['P 0 100 7\nM 3 5 50\nC 2 /sys/fs/cgroup/x\n']);
});
