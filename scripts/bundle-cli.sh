#!/usr/bin/env bash
# The `corral` command as one ES module: dist/cli/corral.js (package.json's
# bin), bundled from src/cli/main.ts. Node's ESM loader resolves, reads and
# links each of the run path's ~75 small modules one by one; that cost
# about 30 ms of every `corral run -- true` here (107 ms against 78 ms, Node
# 20, hyperfine). Packages stay external: ffi-rs is native, and
# systeminformation is doctor's alone and stays a dynamic import. tsc's
# dist/cli/main.js stays too, module by module (see below).
#
# No source map: c8 (v8-to-istanbul) maps a bundle's coverage onto its
# sources wrongly, every line of every bundled file counted as run, which
# turned the suite's 96% into a false 100%. Without a map, c8 leaves the
# bundle out. So under c8 the CLI tests run tsc's dist/cli/main.js, whose
# per-file maps c8 reads right, and everywhere else (the other Node lines,
# the guest) the bundle, as users do; one test runs both side by side
# (test/cli/corral-cli.ts).
#
# The bundle lives in dist/cli/, one level below dist/ like every module it
# holds, so the paths its code finds from import.meta.url still hold:
# ../../package.json (cli/dispatch.ts) and ../guard/guard.sh (guard-process.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
node_modules/.bin/esbuild src/cli/main.ts --bundle --platform=node --format=esm --target=node20 \
  --packages=external --log-level=warning --outfile=dist/cli/corral.js
chmod 0755 dist/cli/corral.js
