/** Every `corral` subcommand, in the order `corral --help` lists them. */
import type { Command } from './command.js';
import { doctorCommand } from './doctor/doctor-command.js';
import { runCommand } from './run/run-command.js';
import { sweepCommand } from './sweep/sweep-command.js';

export const commands: readonly Command[] = [runCommand, doctorCommand, sweepCommand];

export function findCommand(name: string): Command | undefined {
  return commands.find((command) => command.name === name);
}
