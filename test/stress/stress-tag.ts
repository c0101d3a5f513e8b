/**
 * Tags for processes a stress run starts, as test/helpers/tagged-processes.ts
 * makes them for tests, but without an ava test to hang a teardown on: the
 * run itself checks each tag after each cycle.
 */
import { TAG_VARIABLE } from '../helpers/tagged-processes.js';

let counter = 0;

export interface StressTag {
  tag: string;
  env: NodeJS.ProcessEnv;
}

export function stressTag(label: string): StressTag {
  const tag = `corral-stress-${process.pid}-${label}-${++counter}`;
  return { tag, env: { ...process.env, [TAG_VARIABLE]: tag } };
}
