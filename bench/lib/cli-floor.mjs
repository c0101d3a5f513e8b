// The least a guaranteed `corral run -- true` can do, with no corral code:
// the floor the CLI start-up is measured against (bench/suites/cli-startup.ts).
// Plain JavaScript, so any Node runs it as it is.
//
// What corral's cgroup path cannot leave out: a cgroup directory; a guard
// (a detached sh reading a pipe, so that a SIGKILLed supervisor still gets
// its tree stopped); the program started through a shim that waits until
// the parent has written it into cgroup.procs (nothing runs uncontained);
// the drain read from cgroup.events; the directory removed. The first
// migration is primed off the main thread, as corral does
// (src/mechanisms/cgroup/migration-primer.ts).
//
// argv[2]: the group's directory to make; argv[3]: our own cgroup's (the
// benchmark notes the first, so that it is removed even if this fails).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const [dir, own] = process.argv.slice(2);
writeFile(join(own, 'cgroup.procs'), String(process.pid)).catch(() => {});
mkdirSync(dir);
const guard = spawn('/bin/sh', ['-c', 'read -r line; exit 0'], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
guard.unref();
const shim = spawn('/bin/sh', ['-c', 'read -r answer <&3; exec 3<&-; exec "$@"', 'sh', 'true'], {
  stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
});
writeFileSync(join(dir, 'cgroup.procs'), String(shim.pid));
shim.stdio[3].end('go\n');
shim.on('exit', (code) => {
  while (readFileSync(join(dir, 'cgroup.events'), 'utf8').includes('populated 1'));
  rmdirSync(dir);
  guard.stdin.end();
  process.exit(code ?? 1);
});
