#!/usr/bin/env bash
# The guest's test command (test-vm/ci.sh's default): the whole ava suite,
# compiled to JavaScript on the host first (npm run build:tests; under TCG
# every tsx start-up costs seconds), run in the checkout by each user that
# guest-test.sh runs.
#
# - The tests that set limits go last, one file at a time: to enable
#   controllers for its children, prepareCgroupForLimits() moves every
#   process of the test's scope into a leaf, which would pull the rug from
#   under tests running beside it (limits, the sandbox gauntlet, the job
#   queue's fork bomb).
# - The hermetic files (they call hermetic(), test/helpers/hermetic.ts, which
#   checks the claim: no process, no signal, no uid, no /proc or /sys) run
#   once, in root's run, when root is one of this guest's users: their verdict
#   cannot depend on the user, and under TCG each test file costs seconds of
#   CPU before its first test starts.
# - The 500-job zombie soak runs once too, in root's run, where it runs as
#   uid 65534: another user's run would make the same fallback do the same
#   500 jobs (4 minutes of the guest's CPU, shared with root's run), and the
#   host and the Docker container run it on every Node line.
set -euo pipefail
export CORRAL_TEST_COMPILED=1
c=build/compiled/test
last=("$c/cgroup/limits.test.js" "$c/sandbox/gauntlet.test.js" "$c/examples/job-queue.test.js")
leave_out=()
for file in "${last[@]}"; do leave_out+=("!$file"); done
if [[ ${CORRAL_VM_WHO:-root} != root && " ${CORRAL_VM_USERS:-} " == *" root "* ]]; then
  # The call as a statement of its own at the top level: a file that calls
  # it anywhere else is simply run by every user.
  mapfile -t hermetic < <(grep -rlx --include='*.test.js' 'hermetic();' "$c" | sort)
  for file in "${hermetic[@]}"; do leave_out+=("!$file"); done
  echo "suite: ${#hermetic[@]} hermetic files are left to root's run: ${hermetic[*]#"$c/"}"
  leave_out+=("!$c/fallback/zombie-soak.test.js")
  echo "suite: fallback/zombie-soak.test.js is left to root's run"
fi
# ava's own bin, not npx: under TCG each npx start costs seconds of CPU.
node_modules/.bin/ava "$c/**/*.test.js" "${leave_out[@]}"
node_modules/.bin/ava --concurrency 1 "${last[@]}"
