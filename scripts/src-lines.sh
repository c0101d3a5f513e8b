#!/usr/bin/env bash
# Lines of src/**/*.ts at each commit given (default HEAD), every tree
# formatted first by this checkout's Biome config, so that two trees compare
# whatever formatter (if any) each was written under.
#   bash scripts/src-lines.sh 9fae8ec HEAD
set -euo pipefail
repo=$(git rev-parse --show-toplevel)
biome="$repo/node_modules/.bin/biome"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for commit in "${@:-HEAD}"; do
  rm -rf "${work:?}"/*
  git -C "$repo" archive "$commit" src | tar -x -C "$work"
  cp "$repo/biome.json" "$work/"
  if ! (cd "$work" && "$biome" format --write --vcs-enabled=false src > /dev/null 2>&1); then
    echo "src-lines: biome could not format $commit" >&2
    exit 1
  fi
  printf '%s\t%s\n' "$(git -C "$repo" rev-parse --short "$commit")" "$(find "$work/src" -name '*.ts' -exec cat {} + | wc -l)"
done
