/**
 * The options every test-runner integration takes (corral/vitest's
 * corralPool(), corral/jest's runner), checked in one place. Environment
 * variables let CI turn them on without touching the project's config:
 * CORRAL_FAIL_ON_LEFTOVERS=1 and CORRAL_LEFTOVERS_REPORT=<path> win over the
 * config, because CI is where they are set on purpose.
 */
import { resolve } from 'node:path';
import { describe, parseTimeout } from '../options/durations.js';
import { resolveCreateOptions, type MechanismChoice } from '../options/group-options.js';
import { asOptionsObject, parseBoolean } from '../options/validate.js';
import { invalidOption } from '../errors.js';

export interface IntegrationOptions {
  /** A test file that leaves processes behind fails the run (default false; CORRAL_FAIL_ON_LEFTOVERS=1 sets it). */
  failOnLeftovers?: boolean;
  /** ms between the graceful signal and SIGKILL when a file's leftovers are stopped (default 2000). */
  grace?: number;
  /** Where to write the JSON report of leftovers (CORRAL_LEFTOVERS_REPORT=<path> sets it). */
  report?: string;
  /** 'auto' (default), 'cgroup' or 'pgroup', as ProcessGroup.create(). */
  mechanism?: MechanismChoice;
}

export interface ResolvedIntegrationOptions extends Required<Omit<IntegrationOptions, 'report'>> {
  /** An absolute path, or undefined: no report. */
  report: string | undefined;
}

const KNOWN = new Set(['failOnLeftovers', 'grace', 'report', 'mechanism']);
export const DEFAULT_GRACE = 2000;

export function resolveIntegrationOptions(
  options: unknown,
  where: string,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedIntegrationOptions {
  const o = asOptionsObject(options ?? {}, where, KNOWN) as IntegrationOptions;
  const grace = parseTimeout(o.grace ?? DEFAULT_GRACE, `${where}: grace`, { allowInfinite: true });
  // The group options are checked by the same code ProcessGroup.create() uses, before any group exists.
  const { mechanism } = resolveCreateOptions({ mechanism: o.mechanism ?? 'auto', shutdownTimeout: grace });
  const fromEnv = booleanFromEnv(env.CORRAL_FAIL_ON_LEFTOVERS);
  const failOnLeftovers = fromEnv ?? parseBoolean(o.failOnLeftovers ?? false, `${where}: failOnLeftovers`);
  // An empty CORRAL_LEFTOVERS_REPORT counts as unset.
  const reportPath = env.CORRAL_LEFTOVERS_REPORT || o.report;
  if (reportPath !== undefined && (typeof reportPath !== 'string' || reportPath === '')) {
    throw invalidOption(`${where}: report must be a file path, got ${describe(reportPath)}`);
  }
  return { failOnLeftovers, grace, report: reportPath === undefined ? undefined : resolve(reportPath), mechanism };
}

/** CORRAL_FAIL_ON_LEFTOVERS: '1'/'true' on, '0'/'false' off, unset or empty: the config decides. */
function booleanFromEnv(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw invalidOption(`CORRAL_FAIL_ON_LEFTOVERS must be 1 or 0, got ${describe(value)}`);
}
