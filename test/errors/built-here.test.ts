/**
 * Every CorralError is built in src/errors.ts, by its builders (one per
 * family of failure), so that a code and its message have one home: no other
 * module of src/ may write `new CorralError(` (docs/development.md, Layers).
 */
import test from 'ava';
import { hermetic } from '../helpers/hermetic.js';
import { sourceFiles } from '../helpers/source-files.js';

hermetic();

const HOME = 'errors.ts';

/** Each construction of a CorralError outside its home among `files` (paths relative to src/, with their text). */
function constructedElsewhere(files: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [file, source] of files) {
    if (file === HOME) continue;
    for (const [index, line] of source.split('\n').entries()) {
      if (/\bnew\s+CorralError\s*[(<]/.test(line)) found.push(`${file}:${index + 1}: ${line.trim()}`);
    }
  }
  return found;
}

test('no module of src/ but errors.ts constructs a CorralError', (t) => {
  const files = sourceFiles();
  t.true(files.size > 50, 'src/ was read');
  t.regex(files.get(HOME) ?? '', /new CorralError\(/, 'the builders in errors.ts were read');
  t.deepEqual(constructedElsewhere(files), []);
});

test('the check sees a construction, a generic one and one split over lines, and leaves errors.ts and mentions alone', (t) => {
  const files = new Map([
    ['errors.ts', "return new CorralError('EGROUP_CLOSED', message);"],
    ['group/a.ts', "throw new CorralError('EGROUP_CLOSED', 'closed');"],
    ['mechanisms/cgroup/b.ts', 'const e = new  CorralError<never>(code, message);'],
    ['run/c.ts', "throw new CorralError(\n  'EREADY_TIMEOUT',\n  'late',\n);"],
    ['driver/d.ts', 'if (error instanceof CorralError) throw error; // not new CorralErrors'],
  ]);
  t.deepEqual(constructedElsewhere(files), [
    "group/a.ts:1: throw new CorralError('EGROUP_CLOSED', 'closed');",
    'mechanisms/cgroup/b.ts:1: const e = new  CorralError<never>(code, message);',
    'run/c.ts:1: throw new CorralError(',
  ]);
});
