/**
 * Whether asking systemd for a delegated scope can work here, decided
 * without connecting or creating anything: it is allowed (no opt-out),
 * systemd runs (/run/systemd/system, as sd_booted() checks), busctl is on
 * PATH, and the manager's bus socket exists and belongs to the right user.
 * Used by hostContainment() for its prediction and by the real attempt, so
 * that the two give the same reason when it cannot.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { OPT_OUT_VARIABLE } from '../../../options/systemd-opt-out.js';
import { bestEffort } from '../cgroup-fs.js';
import { chooseManagerBus, statSocket, type BusChoice, type StatSocket } from './manager-bus.js';

export interface ProspectHost {
  uid: number;
  env: NodeJS.ProcessEnv;
  /** systemd is the init system (sd_booted(): /run/systemd/system exists). */
  systemdRunning: () => boolean;
  /** busctl can be found on PATH. */
  hasBusctl: () => boolean;
  stat: StatSocket;
}

function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => bestEffort(() => accessSync(join(dir, command), constants.X_OK)));
}

export function realProspectHost(env: NodeJS.ProcessEnv = process.env): ProspectHost {
  return {
    uid: process.geteuid?.() ?? -1,
    env,
    systemdRunning: () => existsSync('/run/systemd/system'),
    hasBusctl: () => onPath('busctl', env),
    stat: statSocket,
  };
}

export function optOutReason(): string {
  return `asking systemd for a scope is turned off (systemdScope: false, or ${OPT_OUT_VARIABLE}=1)`;
}

export function scopeProspect(allowed: boolean, host: ProspectHost = realProspectHost()): BusChoice {
  if (!allowed) return { reason: optOutReason() };
  if (!host.systemdRunning()) return { reason: 'systemd is not running here (no /run/systemd/system)' };
  if (!host.hasBusctl()) return { reason: "busctl (systemd's D-Bus tool) is not on PATH" };
  return chooseManagerBus(host.uid, host.env, host.stat);
}
