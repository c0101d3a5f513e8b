/**
 * The transient scope corral asks for: its name (recognisable in
 * `systemctl --user list-units 'corral-*'`, unique per process), the D-Bus
 * object path systemd gives such a unit, and whether a cgroup path is one.
 */

/** corral-<pid>-<8 hex>.scope: the pid says whose, the random part keeps two tries (or a reused pid) apart. */
// node:crypto is loaded here, on first use: a static import would load it and its modules into every `corral run`.
export function scopeUnitName(
  pid: number,
  random: string = process.getBuiltinModule('node:crypto').randomBytes(4).toString('hex'),
): string {
  return `corral-${pid}-${random}.scope`;
}

/**
 * systemd's object path of a unit: /org/freedesktop/systemd1/unit/ plus the
 * name escaped as sd-bus does (bus_label_escape: every byte that is not an
 * ASCII letter, or a digit after the first position, becomes _xx in lower-case hex).
 */
export function unitObjectPath(name: string): string {
  let label = '';
  for (const [i, byte] of [...Buffer.from(name, 'utf8')].entries()) {
    const letter = (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
    const digit = byte >= 0x30 && byte <= 0x39;
    label += letter || (digit && i > 0) ? String.fromCharCode(byte) : `_${byte.toString(16).padStart(2, '0')}`;
  }
  return `/org/freedesktop/systemd1/unit/${label || '_'}`;
}

/** True when the cgroup v2 path (as /proc/self/cgroup names it) is the scope `unit` or lies inside it. */
export function cgroupIsInUnit(cgroup: string | undefined, unit: string): boolean {
  return cgroup !== undefined && (cgroup.endsWith(`/${unit}`) || cgroup.includes(`/${unit}/`));
}
