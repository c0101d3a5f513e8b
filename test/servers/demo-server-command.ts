/** The command line (for sh -c) that starts test/fixtures/demo-server.ts, in the suite's form. */
import { nodeArgs } from '../helpers/node-script.js';

/** A word quoted for sh. */
export const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

export function demoServer(name: string, port: number, mode: 'serve' | 'die' | 'never' = 'serve'): string {
  return [
    process.execPath,
    ...nodeArgs(new URL('../fixtures/demo-server.ts', import.meta.url), name, String(port), mode),
  ]
    .map(quote)
    .join(' ');
}
