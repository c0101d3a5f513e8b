/** A RunResult on plain values, for the tests of what is made of one (statuses, summaries, supervision). */
import type { RunResult } from '../../src/run/run.js';

export function fakeRunResult(overrides: Partial<RunResult> = {}): RunResult {
  return {
    exitCode: 0,
    signal: null,
    timedOut: false,
    cancelled: false,
    leftovers: [],
    leftoverProcesses: [],
    report: undefined,
    mechanism: 'cgroup',
    fallbackReason: undefined,
    cgroupOrigin: undefined,
    pid: 1234,
    elapsedMs: 1500,
    stats: undefined,
    stdout: undefined,
    stderr: undefined,
    outputBytes: undefined,
    outputTruncated: false,
    ...overrides,
  };
}
