#!/usr/bin/env node
/**
 * The `corral` command. process.exit() rather than waiting for the event loop
 * to empty: the tree is already gone when dispatch() returns, and on Linux
 * writes to stdout and stderr (files, pipes, terminals) are synchronous, so
 * nothing is lost.
 */
import { dispatch } from './dispatch.js';

// A reader that went away (`corral doctor | head -1`) or a terminal that hung
// up (SIGHUP, then EIO) leaves nobody to tell: that is no reason to crash
// with a stack trace while the tree is being stopped.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

process.exit(await dispatch(process.argv.slice(2)));
