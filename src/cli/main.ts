#!/usr/bin/env node
/**
 * The `corral` command. process.exit() rather than waiting for the event loop
 * to empty: the tree is already gone when dispatch() returns, and on Linux
 * writes to stdout and stderr (files, pipes, terminals) are synchronous, so
 * nothing is lost.
 */
import { dispatch } from './dispatch.js';

process.exit(await dispatch(process.argv.slice(2)));
