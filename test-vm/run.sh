#!/usr/bin/env bash
# `npm run test:vm`: runs the test command in a throw-away pure cgroup-v2
# Debian 12 guest under qemu (TCG, no KVM and no network needed), as root and
# as the systemd-delegated user, and exits non-zero unless both pass.
#
#   --cmd CMD      command to run in the checkout (default: $CORRAL_VM_CMD or `npm test`)
#   --users LIST   "root vagrant" (default), "root" or "vagrant"
#   --together     the users' runs go side by side instead of one after the other
#   --timeout S    seconds the guest may run, boot to poweroff (default: $CORRAL_VM_TIMEOUT or 2400)
#   --keep         keep the run directory (serial log, guest logs) and print where
#
# The image is built on first use (needs root and Debian's mirror; about 1.5
# min) and cached under ${XDG_CACHE_HOME:-~/.cache}/corral-vm/<key>; every run
# boots a fresh copy-on-write overlay of it, so runs never see each other.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cmd=${CORRAL_VM_CMD:-npm test}
users="root vagrant"
timeout=${CORRAL_VM_TIMEOUT:-2400}
keep= together=
while (($#)); do
  case $1 in
    --cmd) cmd=$2; shift 2 ;;
    --users) users=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --together) together=--together; shift ;;
    *) die "unknown argument $1 (see the top of $0)" ;;
  esac
done

ensure_tools qemu-system-x86_64:qemu-system-x86 qemu-img:qemu-utils
# The guest has no network: node_modules must come from the host.
if [[ -f $repo_dir/package-lock.json && ! -d $repo_dir/node_modules ]]; then
  say "no node_modules in the checkout: running npm ci on the host"
  (cd "$repo_dir" && npm ci --no-audit --no-fund)
fi

if [[ $EUID -eq 0 ]]; then
  img=$(bash "$vm_dir/build-image.sh")
elif [[ -f $(image_dir)/ok ]]; then
  img=$(image_dir)
else
  say "building the image needs root once; using sudo"
  img=$(sudo env CORRAL_VM_CACHE="$cache_root" bash "$vm_dir/build-image.sh")
fi

run=$(mktemp -d "${TMPDIR:-/tmp}/corral-vm.XXXXXX")
qemu_pid='' tail_pid=''
stop_qemu() {
  # Only the qemu this run started, by its pid: ask, then insist.
  if [[ -n $qemu_pid ]] && kill -0 "$qemu_pid" 2>/dev/null; then
    kill "$qemu_pid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$qemu_pid" 2>/dev/null || true
  fi
  [[ -z $qemu_pid ]] || wait "$qemu_pid" 2>/dev/null || true
  qemu_pid=
}
cleanup() {
  stop_qemu
  [[ -z $tail_pid ]] || { kill "$tail_pid" 2>/dev/null || true; wait "$tail_pid" 2>/dev/null || true; }
  if [[ -n $keep ]]; then say "kept $run"; else rm -rf "$run"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The share: what the guest runs and reads, and where it writes its results.
share=$run/share
mkdir -p "$share/out"
cp "$vm_dir/guest-test.sh" "$share/"
printf '%s\n' "$cmd" >"$share/cmd"
# One tar file crosses 9p much faster than thousands of small files.
tar -C "$repo_dir" --exclude=./.git --exclude=./coverage --exclude=./.nyc_output -cf "$share/src.tar" .
cat >"$share/job.sh" <<EOF
# Written by run.sh; run by the guest's boot unit with the share as \$1.
${CI:+export CI=$(printf '%q' "$CI")}
exec bash "\$1/guest-test.sh" --tar "\$1/src.tar" --out "\$1/out" --cmd-file "\$1/cmd" --users "$users" $together
EOF

qemu-img create -q -f qcow2 -F raw -b "$img/root.img" "$run/overlay.qcow2"
: >"$run/serial.log"
say "booting the guest (timeout ${timeout} s); its console follows"
start=$SECONDS
# Under TCG the guest kernel distrusts the TSC and reads time from the
# emulated HPET (a trap per clock_gettime; Node reads the clock constantly);
# TCG's TSC is one monotonic counter for all vCPUs, so trust it. Spectre
# mitigations only cost time in a throw-away guest. So does address space
# randomization (norandmaps): TCG keeps the code it translated per virtual
# address, so with ASLR every new process maps ld.so, libc and node at new
# addresses and has them all translated again. Measured in the guest, CPU
# per process: `sleep 0` 34 ms with ASLR, 8 ms without; `sh -c 'exec true'`
# 45 and 10 ms; `node -e 0` 250 and 190 ms; six test files 47 and 41.5 s.
fast='tsc=reliable clocksource=tsc mitigations=off norandmaps'
# TCG on purpose: KVM is often absent or unusable where this runs. 2 vCPUs on
# MTTCG threads; the overlay is throw-away, so no host flushes (cache=unsafe).
# The CPU model is Nehalem (x86-64-v2: SSE4.2, no AVX), not -cpu max: with
# max, glibc and V8 pick AVX2 code, which TCG emulates slowly. Measured in
# the guest, the same four test files took about 18% less CPU (and
# `node -e 0` 0.25 s instead of 0.35 s).
qemu-system-x86_64 -accel tcg,thread=multi -cpu "${CORRAL_VM_CPU:-Nehalem}" -smp "${CORRAL_VM_SMP:-2}" -m "${CORRAL_VM_MEM:-3072}" -machine q35 \
  -display none -monitor none -serial "file:$run/serial.log" -nic none -no-reboot \
  -kernel "$img/vmlinuz" -initrd "$img/initrd.img" \
  -append "console=ttyS0 root=/dev/vda rw quiet systemd.unified_cgroup_hierarchy=1 systemd.show_status=error panic=-1 $fast ${CORRAL_VM_APPEND:-}" \
  -drive "file=$run/overlay.qcow2,if=virtio,format=qcow2,cache=unsafe,discard=unmap" \
  -virtfs "local,path=$share,mount_tag=hostshare,security_model=none" \
  </dev/null >"$run/qemu.log" 2>&1 &
qemu_pid=$!
tail -n +1 -f --pid="$qemu_pid" "$run/serial.log" &
tail_pid=$!

timed_out='' cpu=0 hz=$(getconf CLK_TCK)
while kill -0 "$qemu_pid" 2>/dev/null; do
  if ((SECONDS - start > timeout)); then timed_out=1; break; fi
  # Host CPU time qemu used: a figure that, unlike wall time, hardly depends
  # on what else the host is running.
  cpu=$(awk -v hz="$hz" '{ print int(($14 + $15) / hz) }' "/proc/$qemu_pid/stat" 2>/dev/null || echo "$cpu")
  sleep 1
done
if [[ -n $timed_out ]]; then
  say "guest still running after ${timeout} s: stopping it"
  stop_qemu
else
  wait "$qemu_pid" || say "qemu exited with $?: $(tail -n 5 "$run/qemu.log")"
  qemu_pid=
fi
wait "$tail_pid" 2>/dev/null || true
tail_pid=
say "guest ran $((SECONDS - start)) s, using $cpu s of host CPU"

# Verdict: every line of the guest's status file must say =0. No status file
# means the guest never reported (crash, hang, timeout).
echo
echo "===== corral-vm summary (per user: exit status, ava's closing counts) ====="
if [[ -s $share/out/summary ]]; then cat "$share/out/summary"; fi
if [[ -n $timed_out ]]; then say "FAILED: the guest did not finish within ${timeout} s"; exit 124; fi
if [[ ! -s $share/out/status ]]; then say "FAILED: the guest never reported a result"; exit 1; fi
cat "$share/out/status"
for who in $users; do
  grep -qx "$who=[0-9]*" "$share/out/status" || { say "no result for $who (guest stopped early?)"; exit 1; }
done
if grep -qv '=0$' "$share/out/status"; then say "FAILED in the guest"; exit 1; fi
# The guest script's own exit, echoed by the boot unit, catches a failure
# after the last status line (e.g. in the summary).
grep -aq '^CORRAL-VM-EXIT 0' "$run/serial.log" || { say "FAILED: guest script did not exit 0"; exit 1; }
say "passed in the guest as: $users"
