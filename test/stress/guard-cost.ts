/**
 * What a guard costs: the time from spawning it until it has read and
 * answered its first line (so the shell is up and reading), and its resident
 * memory then. Medians over several starts.
 */
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { startGuardProcess } from '../../src/guard/guard-process.js';
import { GOODBYE_LINE, syncLine } from '../../src/guard/protocol.js';

export interface GuardCost {
  starts: number;
  startupMs: number;
  rssKb: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

function rssKb(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
}

export async function measureGuardCost(starts = 20): Promise<GuardCost> {
  const startup: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < starts; i++) {
    const began = performance.now();
    const guard = startGuardProcess({ onGone: () => {} }, { stdout: 'pipe' });
    guard.child.ref();
    const exited = once(guard.child, 'exit');
    const lines = createInterface({ input: guard.child.stdout! });
    const answered = once(lines, 'line');
    guard.send(syncLine(1));
    await answered;
    startup.push(performance.now() - began);
    rss.push(rssKb(guard.child.pid!));
    guard.child.stdin!.end(GOODBYE_LINE);
    await exited;
  }
  return { starts, startupMs: median(startup), rssKb: median(rss) };
}
