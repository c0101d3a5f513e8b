/**
 * corral: stop a whole Linux process tree, gracefully then by force, with no
 * stray descendant left behind.
 */
export { ProcessGroup } from './group/process-group.js';
export type { GroupSpawnOptions } from './group/no-new-privileges.js';
export type { GroupStats, MechanismName } from './mechanisms/containment.js';
export { CorralError, type CorralErrorCode } from './errors.js';
export type { CreateOptions, ShutdownOptions, MechanismChoice } from './options/group-options.js';
export type { Limits } from './options/limits.js';
export type { ShutdownReport, PhaseReport } from './driver/graceful.js';
export type { GracefulTarget } from './driver/target.js';
export { hostContainment, type HostContainment, type HostContainmentOptions } from './host/host-containment.js';
export { prepareCgroupForLimits } from './mechanisms/cgroup/index.js';
export type { PreparedCgroup, PrepareOptions, CgroupOrigin } from './mechanisms/cgroup/index.js';
export { sweepStaleGroups, type SweepReport, type SweptGroup, type SweepAction } from './sweep/sweep-stale-groups.js';
export type { SweepOptions } from './sweep/sweep-options.js';
export { supervise, type SupervisionOutcome, type SupervisionEndReason } from './supervise/supervise.js';
export type { SuperviseOptions, RestartPolicy, BackoffOptions } from './supervise/supervise-options.js';
export type { IncarnationStarted, IncarnationExited, IncarnationRestarting } from './supervise/supervise-options.js';
export { pipeline } from './pipeline/pipeline.js';
export type { PipelineResult, StageResult, PipelineOptions, PipelineStage } from './pipeline/pipeline.js';
export { run, type RunOptions, type RunResult, type LeftoversPolicy, type LeftoverProcess } from './run/run.js';
export type { OutputBytes, OutputEncoding } from './run/run.js';
export type { ServerSpec, ServerOutput, ServerReport, ServerFailure } from './run/run.js';
export { ready, type ReadyOptions } from './run/servers/wait-until-ready.js';
