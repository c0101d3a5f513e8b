/**
 * corral/vitest and corral/jest inside a real Docker container, where CI
 * mostly runs test suites: cgroup2 read-only (or absent), so every test
 * file's group is the fallback's. The same fixture suites as
 * test/runners (four files, two leak): the run passes, the report names
 * exactly the two leaking files, and nothing of the suite survives.
 *
 * The runner runs under a shell as the container's PID 1, which waits for
 * the test before it exits (when PID 1 exits the kernel kills the whole
 * namespace, which would hide a leak): only the runner and its tree carry
 * the tag. The checkout and Node are bind-mounted read-only; the caches and
 * the report go to a scratch directory mounted read-write. Runs when
 * CORRAL_DOCKER_IMAGE names the image (.ci/run sets it); with
 * CORRAL_EXPECT_DOCKER=1 a missing image or daemon is a failure.
 */
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dockerTest, DOCKER_IMAGE } from '../helpers/docker-test.js';
import { locateHierarchy } from '../../src/mechanisms/cgroup/hierarchy.js';
import { REPO } from '../helpers/node-script.js';
import { PATIENCE_MS } from '../helpers/patience.js';
import { assertNoSurvivors, tagFor, TAG_VARIABLE } from '../helpers/tagged-processes.js';
import { readReport, scratchDir } from '../runners/runner-harness.js';

const run = promisify(execFile);

const cgroup2 = locateHierarchy().mount?.mountPoint;
/** As Docker gives an unprivileged container on a cgroup v2 host; none inside on a v1 host. */
const CGROUP_MOUNT = cgroup2 === undefined ? [] : ['-v', `${cgroup2}:/sys/fs/cgroup:ro`];
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const VITEST =
  major > 22 || (major === 22 && minor >= 12) ? 'node_modules/vitest5/vitest.mjs' : 'node_modules/vitest/vitest.mjs';

const RUNNERS = [
  {
    name: 'vitest',
    command: [VITEST, 'run', '--configLoader', 'native', '--root', 'test/fixtures/runners/vitest'],
    leaking: ['suite/daemonizes.test.mjs', 'suite/leaks-a-server.test.mjs'],
  },
  {
    name: 'jest 30',
    command: [
      'node_modules/jest/bin/jest.js',
      '--ci',
      '--watchman=false',
      '--config',
      'test/fixtures/runners/jest-suite/jest.config.cjs',
    ],
    leaking: ['suite/daemonizes.test.cjs', 'suite/leaks-a-server.test.cjs'],
  },
];

let counter = 0;

for (const runner of RUNNERS) {
  dockerTest(
    `${runner.name} in a container (the fallback): the run passes, the report names the two leaking files, nothing survives`,
    async (t) => {
      const tag = tagFor(t);
      const scratch = scratchDir(t, 'corral-docker-runner-');
      const name = `corral-test-runner-${process.pid}-${++counter}`;
      t.teardown(async () => {
        await run('docker', ['rm', '-f', name]).catch(() => undefined);
      });
      const env = {
        // The shell hands the tag to the runner alone: the shell is not part of the suite.
        CORRAL_CONTAINER_TAG: tag.tag,
        CORRAL_FIXTURE_CACHE: '/out/cache',
        CORRAL_FIXTURE_TEST_TIMEOUT: String(PATIENCE_MS),
        CORRAL_LEFTOVERS_REPORT: '/out/leftovers.json',
        XDG_DATA_HOME: '/out/data',
        NO_COLOR: '1',
      };
      const args = [
        'run',
        '--rm',
        '-i',
        '--name',
        name,
        ...Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]),
        '-v',
        `${REPO}:/corral:ro`,
        '-v',
        `${process.execPath}:/usr/local/bin/node:ro`,
        '-v',
        `${scratch}:/out`,
        ...CGROUP_MOUNT,
        '-w',
        '/corral',
        DOCKER_IMAGE,
        'sh',
        '-c',
        `${TAG_VARIABLE}=$CORRAL_CONTAINER_TAG node "$@"; echo runner-exit=$?; read -r _`,
        'sh',
        ...runner.command,
      ];
      // The docker client itself is not tagged: only what runs inside carries the tag.
      const child = spawn('docker', args, { stdio: ['pipe', 'pipe', 'pipe'] });
      t.teardown(() => {
        if (child.exitCode === null) child.stdin!.end();
      });
      let output = '';
      const exited = await new Promise<number | undefined>((resolve) => {
        const look = (chunk: Buffer) => {
          output += chunk.toString();
          const match = /runner-exit=(\d+)/.exec(output);
          if (match) resolve(Number(match[1]));
        };
        child.stdout!.on('data', look);
        child.stderr!.on('data', look);
        child.once('close', () => resolve(undefined));
      });
      t.is(exited, 0, output);
      const entries = readReport(join(scratch, 'leftovers.json'));
      t.deepEqual(
        entries.map((e) => e.file.replace(/^.*\/test\/fixtures\/runners\/[^/]+\//, '')).sort(),
        runner.leaking,
        JSON.stringify(entries),
      );
      t.true(
        entries.every((e) => e.leftovers.length === 1),
        JSON.stringify(entries),
      );
      assertNoSurvivors(t, tag, 'the runner returned inside the container: nothing of the suite is left');
      child.stdin!.end('\n');
      await new Promise((resolve) => child.once('close', resolve));
    },
  );
}
