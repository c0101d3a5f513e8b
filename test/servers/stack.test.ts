/**
 * The real stack of issue 32: `npm run dev` → concurrently → two Node HTTP
 * servers, the api keeping a plain child and a daemonized helper
 * (test/fixtures/stack), under `corral run --server … --ready … -- TESTS`.
 * Two settings: 'cgroup' (corral as the test's own user: root here, the
 * delegated user in the guest) and 'fallback' (no writable cgroup: as root,
 * uid 65534 through a view of the checkout; as any other user, --mechanism
 * pgroup, the mechanism the fallback gives). Lean on purpose: the guest runs
 * every one of these 30 to 100 times slower.
 */
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asAnotherUser } from '../helpers/as-another-user.js';
import { freePort, portFreed } from '../helpers/free-port.js';
import { lookUntil } from '../helpers/look-until.js';
import { REPO } from '../helpers/node-script.js';
import { patience, PATIENCE_MS } from '../helpers/patience.js';
import { assertNoSurvivors, tagFor, waitUntilGone, type Tag } from '../helpers/tagged-processes.js';
import { CORRAL_MAIN, jsonReport, outcomeOf, type RunningCorral } from '../cli/corral-cli.js';

const cliTest = test.serial;
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
type Setting = 'cgroup' | 'fallback';

interface Stack {
  api: number;
  web: number;
  /** `--server … --ready …`: npm run dev, ready when the api answers. */
  flags: string[];
}

/** The stack on two free ports; run from the checkout, corral's working directory in every setting. */
async function stack(apiMode = 'serve', readyTimeout = `${patience(60_000)}ms`): Promise<Stack> {
  const [api, web] = [await freePort(), await freePort()];
  const dev = `cd test/fixtures/stack && API_MODE=${apiMode} API_PORT=${api} WEB_PORT=${web} npm --silent run dev`;
  // npm, concurrently and two Nodes start 30 to 100 times slower in the guest than the default 60 s allows for.
  return {
    api,
    web,
    flags: ['--ready-timeout', readyTimeout, '--server', dev, '--name', 'dev', '--ready', `http://127.0.0.1:${api}/`],
  };
}

/**
 * Tests that fetch both servers, print the answers, then exit `status`. The
 * probe waits for the api alone: the web, started beside it, may still be
 * on its way, so the tests retry a refused connection (bounded), as a real
 * suite's setup does.
 */
function tests({ api, web }: Stack, status: number): string[] {
  const tries = Math.ceil(patience(10_000) / 50);
  const get = `get=(u,n)=>fetch(u).then(r=>r.text(),e=>n>0?new Promise(s=>setTimeout(s,50)).then(()=>get(u,n-1)):Promise.reject(e))`;
  const script = `const ${get};Promise.all(process.argv.slice(1).map(u=>get(u,${tries}))).then(b=>{console.log(b.join(","));process.exit(${status})})`;
  // `node` from the PATH, as the stack's own scripts find it: as uid 65534 this Node (in root's cache) may be out of reach.
  return ['--', 'node', '-e', script, `http://127.0.0.1:${api}/`, `http://127.0.0.1:${web}/`];
}

/** corral run with `args` in `setting`; npm gets a home and a cache it may write. */
function startCorral(t: ExecutionContext, setting: Setting, args: string[], tag: Tag): RunningCorral {
  const home = mkdtempSync(join(tmpdir(), 'corral-stack-home-'));
  chmodSync(home, 0o777);
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  let command = { file: process.execPath, args: [CORRAL_MAIN, 'run', ...args], cwd: REPO };
  if (setting === 'fallback' && asRoot) {
    command = asAnotherUser(t, {
      drop: `setpriv --reuid=${NOBODY} --regid=${NOBODY} --clear-groups`,
      loader: [],
      relative: CORRAL_MAIN.slice(REPO.length + 1),
      args: ['run', ...args],
    });
  } else if (setting === 'fallback') {
    command.args.splice(2, 0, '--mechanism', 'pgroup');
  }
  const env: NodeJS.ProcessEnv = {
    ...tag.env,
    HOME: home,
    npm_config_cache: join(home, 'npm'),
    npm_config_update_notifier: 'false',
  };
  // Under c8, uid 65534 cannot write root's coverage directory (and would say so on stderr): it gets one of its own.
  if (setting === 'fallback' && asRoot && env.NODE_V8_COVERAGE) env.NODE_V8_COVERAGE = join(home, 'coverage');
  const child = spawn(command.file, command.args, {
    cwd: command.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { child, done: outcomeOf(child) };
}

for (const setting of ['cgroup', 'fallback'] as const) {
  cliTest(
    `${setting}: failing tests reach both servers, their status is corral's, and nothing of the stack is left`,
    async (t) => {
      const tag = tagFor(t);
      const served = await stack();
      const outcome = await startCorral(t, setting, ['--json', ...served.flags, ...tests(served, 7)], tag).done;
      t.is(outcome.status, 7, outcome.stderr);
      t.regex(outcome.stdout, /^api,web$/m, 'the tests reached both servers');
      t.regex(outcome.stdout, /^\[dev\] \[api\] api listening on \d+$/m, "the stack's output, prefixed");
      const report = jsonReport(outcome);
      t.is(report.mechanism, setting === 'cgroup' ? 'cgroup' : 'pgroup');
      const stopped: string[] = report.servers[0].stopped.map((p: { command: string }) => p.command);
      for (const part of ['npm', 'concurrently', 'api.mjs', 'web.mjs', 'sleep 1000'])
        t.true(
          stopped.some((c) => c.includes(part)),
          `${part} was stopped, and named`,
        );
      assertNoSurvivors(t, tag);
      t.true(await portFreed(served.api));
      t.true(await portFreed(served.web));
    },
  );

  cliTest(`${setting}: corral SIGKILLed during the tests leaves nothing of the stack or of the tests`, async (t) => {
    const tag = tagFor(t);
    const served = await stack();
    const dir = mkdtempSync(join(tmpdir(), 'corral-stack-'));
    chmodSync(dir, 0o777);
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const running = startCorral(
      t,
      setting,
      [...served.flags, '--', 'sh', '-c', `touch ${dir}/tests; exec sleep 1000`],
      tag,
    );
    t.teardown(() => void running.child.kill('SIGKILL'));
    t.true(
      (await lookUntil(() => existsSync(join(dir, 'tests')), Boolean, { ms: PATIENCE_MS })).met,
      'the tests started',
    );
    // The child is corral itself: unshare, sh and setpriv exec it in turn.
    running.child.kill('SIGKILL');
    await running.done;
    t.deepEqual(await waitUntilGone(tag.tag), [], 'the guard stopped the stack and the tests');
    t.true(await portFreed(served.api));
    t.true(await portFreed(served.web));
  });

  cliTest(
    `${setting}: the api dying before it is ready: the tests never start, exit 122, its last line shown`,
    async (t) => {
      const tag = tagFor(t);
      const served = await stack('die');
      const dir = mkdtempSync(join(tmpdir(), 'corral-stack-'));
      chmodSync(dir, 0o777); // as uid 65534 the tests could not touch it, and "never started" would prove nothing
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      const outcome = await startCorral(t, setting, [...served.flags, '--', 'touch', join(dir, 'ran')], tag).done;
      t.is(outcome.status, 122);
      t.regex(outcome.stderr, /^corral: server dev exited before it was ready/m);
      t.regex(outcome.stderr, /^corral: {3}\[dev\] \[api\] api: cannot open the database$/m);
      t.false(existsSync(join(dir, 'ran')));
      assertNoSurvivors(t, tag);
      t.true(await portFreed(served.web));
    },
  );

  cliTest(
    `${setting}: the api never ready: the run ends at --ready-timeout with exit 121, nothing left, the tests never started`,
    async (t) => {
      const tag = tagFor(t);
      const served = await stack('never', '2s');
      const dir = mkdtempSync(join(tmpdir(), 'corral-stack-'));
      chmodSync(dir, 0o777); // as uid 65534 the tests could not touch it, and "never started" would prove nothing
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      const outcome = await startCorral(t, setting, [...served.flags, '--', 'touch', join(dir, 'ran')], tag).done;
      t.is(outcome.status, 121);
      t.false(existsSync(join(dir, 'ran')));
      assertNoSurvivors(t, tag);
      t.true(await portFreed(served.web));
    },
  );
}
