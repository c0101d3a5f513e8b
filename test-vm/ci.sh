#!/usr/bin/env bash
# CI's VM stage (call it after the host suite): builds or reuses the image and
# runs the project's test command in the pure cgroup-v2 guest as root and as
# the delegated user. Fails if either run fails, if the guest never reports,
# or if the whole stage, image build included, overruns its hard limit.
# Extra arguments go to run.sh (e.g. --cmd).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Stage limit, image build included, and the guest's own share of it.
stage_limit=${CORRAL_VM_STAGE_TIMEOUT:-2700}
guest_limit=${CORRAL_VM_TIMEOUT:-2400}

start=$SECONDS
rc=0
# The guest runs test-vm/suite.sh (the whole ava suite, compiled to
# JavaScript) as both users. The suite is compiled here on the host first:
# the guest has no network, and the host stage has already type-checked and
# measured coverage. The CLI tests run the built CLI (dist/).
(cd "$here/.." && npm run --silent build && npm run --silent build:tests)
cmd=${CORRAL_VM_CMD:-"bash test-vm/suite.sh"}
# Root and the delegated user run side by side (CORRAL_VM_TOGETHER=0: one
# after the other): each run alone leaves the guest's CPUs idle while its
# tests wait on real time.
together=()
[[ ${CORRAL_VM_TOGETHER:-1} == 0 ]] || together=(--together)
# timeout signals its whole process group, so qemu and debootstrap stop too;
# run.sh's trap then removes its overlay and run directory.
timeout --kill-after=30 "$stage_limit" bash "$here/run.sh" --timeout "$guest_limit" --cmd "$cmd" "${together[@]}" "$@" || rc=$?
case $rc in
  0) msg=passed ;;
  124) msg="did not finish in time" ;;
  *) msg="failed (exit $rc)" ;;
esac
echo "[test-vm] VM stage $msg after $((SECONDS - start)) s (limit $stage_limit s)"
exit "$rc"
