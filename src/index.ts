/**
 * corral: stop a whole Linux process tree, gracefully then by force, with no
 * stray descendant left behind.
 */
export { ProcessGroup } from './group/process-group.js';
export type { GroupSpawnOptions } from './group/no-new-privileges.js';
export type { GroupStats, MechanismName } from './mechanisms/containment.js';
export { CorralError } from './errors.js';
export type { CorralErrorCode } from './errors.js';
export type { CreateOptions, ShutdownOptions, MechanismChoice } from './options/group-options.js';
export type { Limits } from './options/limits.js';
export type { ShutdownReport, PhaseReport } from './driver/graceful.js';
export type { GracefulTarget } from './driver/target.js';
export { hostContainment } from './host/host-containment.js';
export type { HostContainment, HostContainmentOptions } from './host/host-containment.js';
export { prepareCgroupForLimits } from './mechanisms/cgroup/index.js';
export type { PreparedCgroup, PrepareOptions, CgroupOrigin } from './mechanisms/cgroup/index.js';
export { sweepStaleGroups } from './sweep/sweep-stale-groups.js';
export type { SweepReport, SweptGroup, SweepAction } from './sweep/sweep-stale-groups.js';
export type { SweepOptions } from './sweep/sweep-options.js';
export { run } from './run/run.js';
export { supervise } from './supervise/supervise.js';
export type { SupervisionOutcome, SupervisionEndReason } from './supervise/supervise.js';
export type {
  SuperviseOptions,
  RestartPolicy,
  BackoffOptions,
  IncarnationStarted,
  IncarnationExited,
  IncarnationRestarting,
} from './supervise/supervise-options.js';
export { pipeline } from './pipeline/pipeline.js';
export type { PipelineResult, StageResult, PipelineOptions, PipelineStage } from './pipeline/pipeline.js';
export type {
  RunOptions,
  RunResult,
  LeftoversPolicy,
  LeftoverProcess,
  OutputBytes,
  OutputEncoding,
  ServerSpec,
  ServerOutput,
  ServerReport,
  ServerFailure,
} from './run/run.js';
export { ready } from './run/servers/wait-until-ready.js';
export type { ReadyOptions } from './run/servers/wait-until-ready.js';
