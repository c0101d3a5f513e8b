/**
 * `--user USER[:GROUP]`: a user and a group by name or number, resolved in
 * /etc/passwd and /etc/group before anything starts. The group defaults to
 * the user's primary group; a number with no passwd entry gets the group of
 * the same number (never root's group by default). Names from other NSS
 * sources (LDAP...) are not looked up: give those by number. Unknown names
 * are one usage error naming all of them (exit 2).
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../usage-error.js';

export interface Identity {
  uid: number;
  gid: number;
}

/** Where the names are looked up: the files (default) or, in tests, other files. */
export interface UserDatabase {
  passwd: string;
  group: string;
}

const SYSTEM: UserDatabase = { passwd: '/etc/passwd', group: '/etc/group' };

/** The colon-separated records of a passwd/group file, as [name, id, primary gid?]. */
function records(path: string): Array<{ name: string; id: number; gid: number }> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'))
    .map((fields) => ({ name: fields[0] ?? '', id: Number(fields[2]), gid: Number(fields[3]) }));
}

const isNumber = (text: string) => /^\d+$/.test(text);

export function resolveUser(spec: string, database: UserDatabase = SYSTEM): Identity {
  const [user = '', group, ...rest] = spec.split(':');
  if (user === '' || group === '' || rest.length > 0) {
    throw new UsageError(`--user takes USER or USER:GROUP (a name or a number each), got ${JSON.stringify(spec)}`);
  }
  const users = records(database.passwd);
  const entry = users.find((record) => (isNumber(user) ? record.id === Number(user) : record.name === user));
  const unknown: string[] = [];
  if (entry === undefined && !isNumber(user)) unknown.push(`user ${JSON.stringify(user)}`);
  let gid: number | undefined;
  if (group === undefined) gid = entry?.gid ?? (isNumber(user) ? Number(user) : undefined);
  else if (isNumber(group)) gid = Number(group);
  else {
    gid = records(database.group).find((record) => record.name === group)?.id;
    if (gid === undefined) unknown.push(`group ${JSON.stringify(group)}`);
  }
  if (unknown.length > 0)
    throw new UsageError(
      `--user ${spec}: no such ${unknown.join(' and no such ')} in ${database.passwd} / ${database.group}`,
    );
  return { uid: entry?.id ?? Number(user), gid: gid! };
}

/**
 * Only root can start a process as somebody else; a refusal now beats
 * Node's bare "spawn EPERM" after the group was made.
 */
export function checkMayBecome(identity: Identity, spec: string): void {
  const euid = process.geteuid?.();
  if (euid === undefined || euid === 0) return;
  if (identity.uid !== euid || identity.gid !== process.getegid?.()) {
    throw new UsageError(
      `--user ${spec}: only root can run a command as another user or group (corral runs as uid ${euid})`,
    );
  }
}
