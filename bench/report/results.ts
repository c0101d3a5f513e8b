/** The shape of bench/results.json: everything the table, chart and targets are drawn from. */
import type { Summary } from '../lib/stats.js';

export interface Host {
  cpu: string;
  cores: number;
  memoryGb: number;
  kernel: string;
  distribution: string;
  cgroupLayout: string;
  node: string;
  /** os.loadavg() when the run began: on a shared machine, how busy it was. */
  loadAverage: number[];
}

/** The measurements of one contender at one size (tree size, or 1 where size does not apply). */
export interface Cell {
  contender: string;
  label: string;
  size: number;
  /** In the order measured; NaN where a trial failed. */
  samples: number[];
  summary: Summary;
  /** Stopped at the cap: the true figure is at least the cap. */
  capped: boolean;
  /** Processes the harness still had to end after the contender said it was done. */
  leftover: number;
  errors: string[];
}

export interface Ratio {
  contender: string;
  baseline: string;
  size: number;
  /** Median and spread of contender/baseline over pairs measured back to back. */
  summary: Summary;
  /** The contender was capped: the ratio is at least summary.median. */
  atLeast: boolean;
  /** A floor's ratio: what the guarantees cost with none of corral's code (the CLI start-up suite). */
  floor?: true;
}

export interface ContainmentRow {
  contender: string;
  label: string;
  /** Live processes of the escape zoo after the contender's hard kill. */
  survivors: number;
  /** Which escapees they were (their command lines). */
  survivorCommands: string[];
  treeSize: number;
  error?: string;
}

/** A watcher's restarts (bench/suites/restarts.ts). */
export interface RestartRow {
  contender: string;
  label: string;
  /** Processes of incarnations before the last, alive after the restarts. */
  earlierAlive: number;
  /** Processes of any incarnation alive once the watcher itself was stopped. */
  afterStop: number;
  /** The earlier incarnations' survivors: version and command line. */
  which: string[];
  error?: string;
}

export interface ScaleRow {
  contender: string;
  label: string;
  groups: number;
  groupSize: number;
  teardownMs: Summary;
  /** The teardown of each run, in the order run (NaN where a run failed); absent in results from before it. */
  samples?: number[];
  /** Peak resident memory of the supervising process while the groups lived, in MiB. */
  peakRssMb: Summary;
  /** Resident memory of the same process before it made any group, in MiB: the peak's reference. */
  idleRssMb: Summary;
  leftover: number;
  /** At least one run was stopped at the cap. */
  capped: boolean;
  errors: string[];
}

export interface TargetResult {
  name: string;
  /** undefined: could not be measured in this run (contender unavailable). */
  met: boolean | undefined;
  detail: string;
}

export interface Results {
  generatedAt: string;
  quick: boolean;
  host: Host;
  config: {
    sizes: number[];
    repetitions: number;
    capMs: number;
    drainRounds: number;
    spawnRounds: number;
    cliRounds: number;
    scaleGroups: number;
    scaleRuns: number;
    vitestRounds?: number;
  };
  /** Contenders that could not run at all here, and why. */
  unavailable: Array<{ contender: string; reason: string }>;
  teardown: Cell[];
  teardownRatios: Ratio[];
  graceful: Cell[];
  gracefulRatios: Ratio[];
  drainLatency: Cell[];
  spawn: Cell[];
  spawnRatios: Ratio[];
  /** `corral run -- true` and `node -e 0`, alternating. */
  cliStartup: Cell[];
  cliStartupRatios: Ratio[];
  containment: ContainmentRow[];
  /** Absent in results written before this suite existed. */
  restarts?: RestartRow[];
  /** A dev stack under its test runner (bench/suites/server-stack.ts); absent in results from before it. */
  serverStack?: ContainmentRow[];
  scale: ScaleRow[];
  /** A 50-file vitest suite, corralPool() and vitest's forks pool alternating; absent from results of before it existed. */
  vitestPool?: Cell[];
  vitestPoolRatios?: Ratio[];
  targets: TargetResult[];
}
