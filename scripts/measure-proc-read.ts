/**
 * What reading /proc/<pid>/stat costs with readFileSync against
 * readProcFileSync (src/proc/read-proc-file.ts: one open, one read into a
 * kept buffer, one close), over every process of this host, 50 rounds, three
 * times; the figures are in docs/performance.md ("Reading /proc").
 * `npx tsx scripts/measure-proc-read.ts`
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readProcFileSync } from '../src/proc/read-proc-file.js';

const ROUNDS = 50;
const pids = readdirSync('/proc')
  .filter((name) => /^\d+$/.test(name))
  .map(Number);

function timed(read: (pid: number) => string | undefined): number {
  const start = performance.now();
  for (let round = 0; round < ROUNDS; round++) for (const pid of pids) read(pid);
  return performance.now() - start;
}

function withReadFileSync(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
}

for (let run = 0; run < 3; run++) {
  const plain = timed(withReadFileSync);
  const own = timed((pid) => readProcFileSync(pid, 'stat'));
  console.log(
    `${pids.length} processes x ${ROUNDS}: readFileSync ${plain.toFixed(0)} ms, readProcFileSync ${own.toFixed(0)} ms (${(plain / own).toFixed(2)}x)`,
  );
}
