/**
 * corral inside a real Docker container, where CI steps, test runners and
 * build sandboxes mostly run: the image from test-container/build-image.sh
 * (a debootstrap root fs, `docker import`ed: no registry), with this
 * checkout and this Node bind-mounted read-only, on the daemon that
 * test-container/start-docker.sh started. Two settings, as users meet them:
 * - Docker on this cgroup v1 (hybrid) host: no cgroup2 inside at all;
 * - cgroup2 mounted read-only at /sys/fs/cgroup, as Docker and Kubernetes
 *   give an unprivileged container on a cgroup v2 host (here: the host's
 *   cgroup2 bind-mounted read-only over the container's /sys/fs/cgroup).
 * In both, 'auto' must get the fallback and contain the whole escape zoo:
 * leftovers stopped after the command exits, corral SIGTERMed, corral
 * SIGKILLed (its guard cleans up), and a forgotten daemon that must not
 * hold a pipe open. `corral doctor` must say it is in a container.
 *
 * corral runs under a shell as the container's PID 1 (as `docker run image
 * npm test` has npm there), so an orphan that corral did not adopt would go
 * to that shell and survive corral. Only corral and its tree carry the test
 * tag; the shell stays up after corral returns until the test has looked
 * (when PID 1 exits, the kernel kills the whole namespace, which would hide
 * a leak). Runs when CORRAL_DOCKER_IMAGE names the image (.ci/run sets it);
 * with CORRAL_EXPECT_DOCKER=1 a missing image or daemon is a failure.
 */
import type { ExecutionContext } from 'ava';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { promisify } from 'node:util';
import { locateHierarchy } from '../../src/mechanisms/cgroup/hierarchy.js';
import { CORRAL_MAIN } from '../cli/corral-cli.js';
import { escapees, FULL_ZOO, zooScript, zooSize } from '../helpers/escape-zoo.js';
import { dockerTest, DOCKER_IMAGE } from '../helpers/docker-test.js';
import { REPO } from '../helpers/node-script.js';
import { PATIENCE_MS } from '../helpers/patience.js';
import { eventually, waitForSettled } from '../helpers/settle.js';
import {
  assertNoSurvivors,
  describeProcess,
  describeTagged,
  findTagged,
  tagFor,
  TAG_VARIABLE,
  waitUntilGone,
  type Tag,
} from '../helpers/tagged-processes.js';

const run = promisify(execFile);
const CLI = `/corral/${CORRAL_MAIN.slice(REPO.length + 1)}`;
/** What the container's shell sees of the tag: it hands it to corral alone. */
const INNER_TAG = 'CORRAL_CONTAINER_TAG';

interface Setting {
  name: string;
  /** docker run arguments that make the setting. */
  mounts: string[];
  /** What `auto`'s fallback reason must say. */
  reason: RegExp;
}

const cgroup2 = locateHierarchy().mount?.mountPoint;
const SETTINGS: Setting[] = [
  { name: 'no cgroup2 inside (Docker on a cgroup v1 host)', mounts: [], reason: /no cgroup2 filesystem is mounted/ },
  ...(cgroup2 === undefined
    ? []
    : [
        {
          name: 'cgroup2 mounted read-only (a container on a cgroup v2 host)',
          mounts: ['-v', `${cgroup2}:/sys/fs/cgroup:ro`],
          reason: /read-only/,
        },
      ]),
];

interface Container {
  name: string;
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

let counter = 0;

/**
 * Starts `sh -c 'CORRAL_TEST_TAG=... node <cli> "$@"; echo corral-exit=$?; read -r _'`
 * in a fresh container. `pipe` puts corral's output through `| cat`.
 * Teardown removes the container whatever happened.
 */
function startContainer(
  t: ExecutionContext,
  setting: Setting,
  tag: Tag,
  cliArgs: string[],
  options: { pipe?: boolean } = {},
): Container {
  const name = `corral-test-${process.pid}-${++counter}`;
  t.teardown(async () => {
    await run('docker', ['rm', '-f', name]).catch(() => undefined);
  });
  const corral = `${TAG_VARIABLE}=$${INNER_TAG} node ${CLI} "$@"${options.pipe ? ' | cat' : ''}`;
  const args = [
    'run',
    '--rm',
    '-i',
    '--name',
    name,
    '-e',
    `${INNER_TAG}=${tag.tag}`,
    '-v',
    `${REPO}:/corral:ro`,
    '-v',
    `${process.execPath}:/usr/local/bin/node:ro`,
    ...setting.mounts,
    '-w',
    '/corral',
    DOCKER_IMAGE,
    'sh',
    '-c',
    `${corral}; echo corral-exit=$?; read -r _`,
    'sh',
    ...cliArgs,
  ];
  // The docker client itself is not tagged: only what runs inside carries the tag.
  const child = spawn('docker', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.stdin!.end();
  });
  return { name, child, stdout: () => out, stderr: () => err, exited };
}

/**
 * Waits for the tree in the container to settle (waitForSettled), but fails
 * at once, with what the container printed, if the container ends first
 * (Node could not start there, say).
 */
async function settledIn(container: Container, tag: Tag, count: number, besides: number): Promise<void> {
  const ended = container.exited.then(() => {
    throw new Error(`the container ended before its tree was up:\n${container.stdout()}${container.stderr()}`);
  });
  ended.catch(() => undefined); // The container ends later in every test that goes well.
  await Promise.race([waitForSettled(tag, count, PATIENCE_MS, besides), ended]);
}

/** corral's exit status, once it has returned inside the container (its shell then waits for the test). */
async function corralExit(container: Container): Promise<number> {
  let status: number | undefined;
  await eventually(
    () => {
      const match = /corral-exit=(\d+)/.exec(container.stdout());
      status = match ? Number(match[1]) : undefined;
      return status !== undefined || container.child.exitCode !== null;
    },
    'corral to return inside the container',
    PATIENCE_MS,
  );
  if (status === undefined) throw new Error(`the container ended before corral returned:\n${container.stderr()}`);
  return status;
}

/** The container's shell ends, and with it the container. */
async function finish(container: Container): Promise<void> {
  container.child.stdin!.end('\n');
  await container.exited;
}

function lastJson(text: string): Record<string, any> {
  const line = text
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (line === undefined) throw new Error(`no JSON report in:\n${text}`);
  return JSON.parse(line) as Record<string, any>;
}

/**
 * Every process of the container, tagged or not (its shell, corral's guard),
 * each with the pipes and sockets it holds: what a failure of the guard
 * needs to be diagnosed from the log alone (is the guard alive, stopped,
 * waiting on a pipe someone else still holds open?).
 */
function describeContainer(container: Container): string {
  let namespace: string;
  try {
    const init = execFileSync('docker', ['inspect', '-f', '{{.State.Pid}}', container.name], {
      encoding: 'utf8',
    }).trim();
    namespace = readlinkSync(`/proc/${init}/ns/pid`);
  } catch (error) {
    return `container ${container.name}: not inspectable (${String(error)})`;
  }
  const lines: string[] = [];
  for (const name of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      if (readlinkSync(`/proc/${name}/ns/pid`) !== namespace) continue;
      const held = readdirSync(`/proc/${name}/fd`)
        .map((fd) => `${fd}=${readlinkSync(`/proc/${name}/fd/${fd}`)}`)
        .filter((link) => /=(pipe|socket):/.test(link));
      lines.push(`  ${describeProcess(Number(name))}\n    holds ${held.join(' ') || 'no pipe or socket'}`);
    } catch {
      // Gone meanwhile.
    }
  }
  const stderr = container.stderr().trim();
  return [
    `every process of container ${container.name}:`,
    ...lines,
    `what it wrote to stderr: ${stderr === '' ? 'nothing' : `\n${stderr}`}`,
  ].join('\n');
}

/** corral's own pid (on this host), among the tagged processes. */
function corralPid(tag: Tag): number {
  const pid = findTagged(tag.tag).find((p) => readFileSync(`/proc/${p}/cmdline`, 'latin1').includes(CLI));
  if (pid === undefined) throw new Error(`corral is not among the tagged processes\n${describeTagged(tag.tag)}`);
  return pid;
}

for (const setting of SETTINGS) {
  dockerTest(`${setting.name}: corral doctor says it is in a container, and auto gets the fallback`, async (t) => {
    const { stdout } = await run(
      'docker',
      [
        'run',
        '--rm',
        '-v',
        `${REPO}:/corral:ro`,
        '-v',
        `${process.execPath}:/usr/local/bin/node:ro`,
        ...setting.mounts,
        DOCKER_IMAGE,
        'node',
        CLI,
        'doctor',
        '--json',
      ],
      { timeout: PATIENCE_MS },
    );
    const doctor = JSON.parse(stdout) as Record<string, any>;
    t.like(doctor, { container: { runtime: 'docker' }, auto: { mechanism: 'pgroup' } });
    t.regex(doctor.auto.reason, setting.reason);
    t.regex(
      doctor.fix,
      /inside a docker container .*fallback.*container's owner has to grant/s,
      'advice that works from inside',
    );
  });

  dockerTest(
    `${setting.name}: the escape zoo left behind by a command that exits is stopped, nothing survives`,
    async (t) => {
      const tag = tagFor(t);
      // The leader starts the zoo, then exits once the test says the zoo is up.
      const leader = `${FULL_ZOO.map((n) => escapees[n]).join('\n')}\nread -r _\nexit 0`;
      const container = startContainer(t, setting, tag, ['run', '--json', '--', 'sh', '-c', leader]);
      await settledIn(container, tag, zooSize(FULL_ZOO) - 1, 2); // corral and the leader's shell beside the zoo
      container.child.stdin!.write('\n');
      t.is(await corralExit(container), 0);
      assertNoSurvivors(t, tag, "corral returned: nothing of the zoo is left, the forker's late children included");
      const report = lastJson(container.stderr());
      t.like(report, { mechanism: 'pgroup', exitCode: 0 });
      t.regex(report.fallbackReason, setting.reason);
      t.true(
        report.leftoverProcesses.length >= zooSize(FULL_ZOO) - 1,
        `every escapee was a leftover: ${JSON.stringify(report.leftoverProcesses)}`,
      );
      await finish(container);
    },
  );

  dockerTest(
    `${setting.name}: corral SIGTERMed stops the zoo and exits 143; SIGKILLed, its guard stops it`,
    async (t) => {
      for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
        const tag = tagFor(t);
        const container = startContainer(t, setting, tag, ['run', '--', 'sh', '-c', zooScript(FULL_ZOO)]);
        await settledIn(container, tag, zooSize(FULL_ZOO), 1);
        process.kill(corralPid(tag), signal);
        t.is(await corralExit(container), signal === 'SIGTERM' ? 143 : 137, signal);
        // SIGTERM: corral returns once the tree is gone. SIGKILL: the guard works on after corral died.
        if (signal === 'SIGKILL') await waitUntilGone(tag.tag, PATIENCE_MS);
        const left = findTagged(tag.tag).length > 0;
        assertNoSurvivors(t, tag, `after ${signal}${left ? `\n${describeContainer(container)}` : ''}`);
        await finish(container);
      }
    },
  );

  dockerTest(
    `${setting.name}: a forgotten setsid daemon neither outlives corral run nor holds its pipe open`,
    async (t) => {
      const tag = tagFor(t);
      // The daemon sleeps 1000 s: had it kept `| cat` open, corral-exit would not come within patience.
      const container = startContainer(t, setting, tag, ['run', '--', 'sh', '-c', '(setsid sleep 1000 &); exit 0'], {
        pipe: true,
      });
      t.is(await corralExit(container), 0);
      assertNoSurvivors(t, tag);
      await finish(container);
    },
  );
}
