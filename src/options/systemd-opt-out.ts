/** The environment's opt-out from asking systemd for a scope: the default of every `systemdScope` option. */
export const OPT_OUT_VARIABLE = 'CORRAL_NO_SYSTEMD_SCOPE';

/** CORRAL_NO_SYSTEMD_SCOPE set to anything but '' or '0'. */
export function optedOutByEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[OPT_OUT_VARIABLE];
  return value !== undefined && value !== '' && value !== '0';
}
