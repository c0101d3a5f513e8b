/**
 * `corral <command> ...`: the global options (--help, --version, --debug),
 * then the subcommand, and every failure turned into one line and an exit
 * status (see failure.ts).
 */
import { readFileSync } from 'node:fs';
import { type CommandContext, commands } from './commands.js';
import { EXIT_USAGE, reportFailure } from './failure.js';
import { UsageError } from './usage-error.js';

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const list = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `Usage: corral <command> [options]

Stop a whole process tree, gracefully then by force, with no stray
descendant left behind (cgroup v2, or process groups as a fallback).

Commands:
${list}

Options:
  -h, --help     this help; corral <command> --help for a command's own
  -V, --version  corral's version
  --debug        stack traces on failure

Examples:
  corral run --timeout 5m -- npm test
  corral run --memory 1G --pids 256 -- make -j8
  corral doctor
`;
}

export async function dispatch(argv: readonly string[]): Promise<number> {
  const context: CommandContext = { debug: false };
  try {
    let rest = [...argv];
    while (rest[0] === '--debug') {
      context.debug = true;
      rest = rest.slice(1);
    }
    const [name, ...args] = rest;
    if (name === undefined) {
      process.stderr.write(mainHelp());
      return EXIT_USAGE;
    }
    if (name === '-h' || name === '--help' || (name === 'help' && args[0] === undefined)) {
      process.stdout.write(mainHelp());
      return 0;
    }
    if (name === 'help') {
      const command = commands.find((c) => c.name === args[0]);
      if (command === undefined) throw new UsageError(`no help for unknown command ${JSON.stringify(args[0])}`);
      process.stdout.write((await command.load()).help);
      return 0;
    }
    if (name === '-V' || name === '--version') {
      // package.json is two levels up from both src/cli and dist/cli.
      const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
      process.stdout.write(`${(JSON.parse(text) as { version: string }).version}\n`);
      return 0;
    }
    const command = commands.find((c) => c.name === name);
    if (command === undefined) {
      const what = name.startsWith('-') ? 'option' : 'command';
      throw new UsageError(
        `unknown ${what} ${JSON.stringify(name)}; commands: ${commands.map((c) => c.name).join(', ')}`,
      );
    }
    return await (await command.load()).main(args, context);
  } catch (error) {
    return reportFailure(error, context.debug);
  }
}
