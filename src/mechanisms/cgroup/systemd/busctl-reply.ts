/**
 * What busctl --json=short prints, read back: one JSON object per reply
 * value, {"type":"o","data":["/org/..."]} for a method's return values and
 * {"type":"s","data":"active"} for a property. Failures are busctl's own
 * line on stderr ("Call failed: ...", "Failed to connect to bus: ..."),
 * kept as the reason.
 */

/** The object path a method call returned (StartTransientUnit returns its job). */
export function parseObjectPathReply(stdout: string): string | undefined {
  const reply = parseFirst(stdout);
  if (reply?.type !== 'o' || !Array.isArray(reply.data)) return undefined;
  const [path] = reply.data as unknown[];
  return typeof path === 'string' && path.startsWith('/') ? path : undefined;
}

/** The string value of a get-property reply. */
export function parseStringProperty(stdout: string): string | undefined {
  const reply = parseFirst(stdout);
  return reply?.type === 's' && typeof reply.data === 'string' ? reply.data : undefined;
}

/** busctl's error says so when the object asked about does not exist (a finished job). */
export function saysUnknownObject(message: string): boolean {
  return /unknown object|UnknownObject/i.test(message);
}

/** busctl's failure text, one line, without its trailing full stop; the exit status when it printed nothing. */
export function failureText(stderr: string, exit: string): string {
  const text = stderr.trim().split('\n').filter(Boolean).join('; ').replace(/\.$/, '');
  return text || `busctl ${exit} without a message`;
}

function parseFirst(stdout: string): { type?: unknown; data?: unknown } | undefined {
  const line = stdout.split('\n').find((l) => l.trim() !== '');
  if (line === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' ? (value as { type?: unknown; data?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}
