#!/usr/bin/env bash
# `npm run build:tests`: the suite compiled to JavaScript in build/compiled/
# (see test/helpers/node-script.ts), with the files tsc does not copy: the
# package.json that makes its .js files ES modules, and the shell scripts
# that src/ and test/ keep beside their code. Then each test file becomes one
# module holding the modules of ours it imports (scripts/bundle-tests.mjs):
# ava starts a process per file, and loading them one by one was most of a
# second of CPU per file in the guest.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf build/compiled
tsc -p tsconfig.compiled-tests.json
cp package.json build/compiled/
find src test examples -name '*.sh' -exec cp --parents {} build/compiled/ \;
node scripts/bundle-tests.mjs
