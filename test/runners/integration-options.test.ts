/**
 * The options every test-runner integration shares, and the refusals:
 * an unknown option or a bad value, and a runner version the integration
 * does not support, each with its stable code. No runner is started.
 */
import test from 'ava';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { corralPool, SUPPORTED_VITEST_MAJORS } from '../../src/integrations/vitest.js';
import { createCorralJestRunner } from '../../src/integrations/jest.js';
import { REPO } from '../helpers/node-script.js';
import { DEFAULT_GRACE, resolveIntegrationOptions } from '../../src/integrations/options.js';
import { checkRunnerVersion } from '../../src/integrations/runner-version.js';
import { LeftoversLedger } from '../../src/integrations/report.js';
import type { VitestPoolOptions } from '../../src/integrations/vitest/pool-worker.js';

test('defaults: no failing, the default grace, no report, auto', (t) => {
  t.deepEqual(resolveIntegrationOptions(undefined, 'x', {}), {
    failOnLeftovers: false,
    grace: DEFAULT_GRACE,
    report: undefined,
    mechanism: 'auto',
  });
});

test('the environment turns failOnLeftovers and the report on, over the config', (t) => {
  const env = { CORRAL_FAIL_ON_LEFTOVERS: '1', CORRAL_LEFTOVERS_REPORT: 'out/leftovers.json' };
  const resolved = resolveIntegrationOptions({ failOnLeftovers: false, report: 'other.json' }, 'x', env);
  t.true(resolved.failOnLeftovers);
  t.is(resolved.report, resolve('out/leftovers.json'), 'absolute, from the working directory');
  t.false(resolveIntegrationOptions({ failOnLeftovers: true }, 'x', { CORRAL_FAIL_ON_LEFTOVERS: '0' }).failOnLeftovers);
  t.true(
    resolveIntegrationOptions({ failOnLeftovers: true }, 'x', { CORRAL_FAIL_ON_LEFTOVERS: '' }).failOnLeftovers,
    'empty: the config decides',
  );
});

test('bad options are refused with a stable code, naming what is known', (t) => {
  t.is(
    t
      .throws(() => corralPool({ failOnLeftover: true } as never))
      ?.message.includes('known: failOnLeftovers, grace, report, mechanism'),
    true,
  );
  t.like(
    t.throws(() => corralPool({ grace: -1 })),
    { code: 'EINVALID_OPTION' },
  );
  t.like(
    t.throws(() => corralPool({ failOnLeftovers: 'yes' } as never)),
    { code: 'EINVALID_OPTION' },
  );
  t.like(
    t.throws(() => corralPool({ report: '' })),
    { code: 'EINVALID_OPTION' },
  );
  t.like(
    t.throws(() => corralPool({ mechanism: 'docker' } as never)),
    { code: 'EINVALID_MECHANISM' },
  );
  t.like(
    t.throws(() => resolveIntegrationOptions({}, 'x', { CORRAL_FAIL_ON_LEFTOVERS: 'yes' })),
    { code: 'EINVALID_OPTION' },
  );
});

test('a vitest other than 4 or 5 is refused when vitest asks for a worker, naming what is supported', (t) => {
  t.deepEqual([...SUPPORTED_VITEST_MAJORS], [4, 5]);
  const pool = corralPool();
  t.is(pool.name, 'corral');
  const options = (version: string) =>
    ({
      distPath: '/nowhere',
      execArgv: [],
      env: {},
      project: { vitest: { version, logger: {} } },
    }) as unknown as VitestPoolOptions;
  const error = t.throws(() => pool.createPoolWorker(options('3.2.4')));
  t.like(error, {
    code: 'EUNSUPPORTED_RUNNER',
    message: 'corral/vitest supports vitest 4 and vitest 5; this is vitest 3.2.4',
  });
  t.notThrows(() => pool.createPoolWorker(options('5.1.2')), 'nothing starts before start()');
  t.like(
    t.throws(() => checkRunnerVersion('jest', undefined, [30])),
    { code: 'EUNSUPPORTED_RUNNER', message: 'corral/jest supports jest 30; this is jest of an unknown version' },
  );
});

test('the report: [] for a clean run, one entry per leaking file, leftovers of a file added up', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'corral-report-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'deep', 'leftovers.json');
  const ledger = new LeftoversLedger(path);
  ledger.record('/a.test.js', []);
  t.deepEqual(JSON.parse(readFileSync(path, 'utf8')), []);
  ledger.record('/b.test.js', [{ pid: 12, command: 'sleep 1000' }]);
  ledger.record('/b.test.js', [{ pid: 13, command: 'sleep 2000' }]);
  t.deepEqual(JSON.parse(readFileSync(path, 'utf8')), [
    {
      file: '/b.test.js',
      leftovers: [
        { pid: 12, command: 'sleep 1000' },
        { pid: 13, command: 'sleep 2000' },
      ],
    },
  ]);
});

test('a jest whose jest-runner is not 30 is refused when jest makes the runner', (t) => {
  const project = mkdtempSync(join(tmpdir(), 'corral-jest-29-'));
  t.teardown(() => rmSync(project, { recursive: true, force: true }));
  mkdirSync(join(project, 'node_modules', 'jest-runner'), { recursive: true });
  writeFileSync(join(project, 'package.json'), '{}');
  writeFileSync(
    join(project, 'node_modules', 'jest-runner', 'package.json'),
    JSON.stringify({ name: 'jest-runner', version: '29.7.0' }),
  );
  const Runner = createCorralJestRunner();
  t.like(
    t.throws(() => new Runner({ rootDir: project, maxWorkers: 1 }, {})),
    { code: 'EUNSUPPORTED_RUNNER', message: 'corral/jest supports jest 30; this is jest 29.7.0' },
  );
  t.notThrows(() => new Runner({ rootDir: REPO, maxWorkers: 1 }, {}), "this checkout's jest 30");
});

test('the integrations import nothing from vitest or jest: corral works without them (optional peers)', (t) => {
  const dir = join(REPO, 'src', 'integrations');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  t.true(files.length >= 8);
  for (const file of files) {
    const imports = [...readFileSync(join(dir, file), 'utf8').matchAll(/^import .* from '([^']+)';$/gm)].map(
      (m) => m[1]!,
    );
    t.deepEqual(
      imports.filter((name) => /^(vitest|jest|@jest|@vitest)/.test(name)),
      [],
      file,
    );
  }
});
