#!/usr/bin/env bash
# Runs inside the pure cgroup-v2 guest, as root: checks the cgroup setup the
# suite relies on, then runs the test command as root and as the delegated
# user `vagrant`, each in its own systemd-delegated scope.
#
# Vagrant:  vagrant ssh -c 'sudo bash /vagrant/test-vm/guest-test.sh [--cmd CMD]'
# qemu:     started by the image's boot unit through the job.sh run.sh writes.
#
#   --src DIR        checkout to test (default /vagrant); copied, never run in place
#   --tar FILE       the checkout as a tar file instead (the qemu path)
#   --cmd CMD        shell command to run in the checkout (default: $CORRAL_VM_CMD or `npm test`)
#   --cmd-file FILE  read CMD from FILE
#   --users LIST     who runs it, out of "root vagrant" (default both)
#   --out DIR        where logs, summary and status go (default /var/tmp/corral-vm-out)
#   --together       run the users side by side (each in its own scope and
#                    checkout; their console lines are prefixed [root], [vagrant])
set -euo pipefail

src=/vagrant tar='' out=/var/tmp/corral-vm-out users="root vagrant" together=
cmd=${CORRAL_VM_CMD:-npm test}
while (($#)); do
  case $1 in
    --src) src=$2; shift 2 ;;
    --tar) tar=$2; shift 2 ;;
    --cmd) cmd=$2; shift 2 ;;
    --cmd-file) cmd=$(<"$2"); shift 2 ;;
    --users) users=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --together) together=1; shift ;;
    *) echo "guest-test: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ $EUID -eq 0 ]] || { echo "guest-test: run as root (sudo)" >&2; exit 2; }

user=vagrant
uid=$(id -u "$user")
user_env=("XDG_RUNTIME_DIR=/run/user/$uid" "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/$uid/bus")
# The suite FAILS instead of skipping when these are set and the cgroup v2
# features or enforceable limits are missing: here they must all be present.
test_env=(CORRAL_EXPECT_CGROUP=1 CORRAL_EXPECT_LIMITS=1 CORRAL_EXPECT_REDIS=1 CORRAL_VM=1 PATH=/usr/local/bin:/usr/bin:/bin)
[[ -n ${CI:-} ]] && test_env+=(CI="$CI")
mkdir -p "$out"
: >"$out/status"
status() { echo "$1=$2" >>"$out/status"; }
section() { printf '\n===== corral-vm: %s =====\n' "$*"; }
t0=$SECONDS

section "guest"
echo "kernel: $(uname -r)  cmdline: $(cat /proc/cmdline)"
echo "/sys/fs/cgroup: $(stat -fc %T /sys/fs/cgroup)  controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
echo "node: $(node --version)  npm: $(npm --version)  cpus: $(nproc)  mem: $(free -m | awk '/^Mem/ {print $2}') MiB"
echo "command: $cmd"

# The lingering user's manager is started by logind at boot; make sure it is
# up (this waits for it) so its D-Bus socket exists for systemd-run --user.
systemctl start "user@$uid.service"
echo "user@$uid.service controllers: $(cat "/sys/fs/cgroup/user.slice/user-$uid.slice/user@$uid.service/cgroup.controllers")"

# What the suite relies on, checked in the same kind of scope it runs in: the
# scope has cpu, memory and pids; after moving itself into a leaf it can
# enable them for its children and set limits on a sibling; and a limit bites.
read -r -d '' selfcheck <<'EOF' || true
set -eu
cg=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
echo "uid $(id -u) scope: $cg"
echo "scope controllers: $(cat "$cg/cgroup.controllers")"
for c in cpu memory pids; do
  grep -qw "$c" "$cg/cgroup.controllers" || { echo "FAIL: $c not delegated"; exit 1; }
done
mkdir "$cg/leaf" "$cg/probe"
echo $$ >"$cg/leaf/cgroup.procs"
echo "+cpu +memory +pids" >"$cg/cgroup.subtree_control"
echo 1 >"$cg/probe/pids.max"
echo 64M >"$cg/probe/memory.max"
echo "50000 100000" >"$cg/probe/cpu.max"
echo "probe: pids.max=$(cat "$cg/probe/pids.max") memory.max=$(cat "$cg/probe/memory.max") cpu.max=$(cat "$cg/probe/cpu.max")"
# With pids.max=1 the shell in probe cannot fork its first /bin/true.
if sh -c "echo \$\$ >'$cg/probe/cgroup.procs'; /bin/true; /bin/true" 2>/dev/null; then
  echo "FAIL: pids.max=1 did not stop a fork"; exit 1
fi
echo "pids.max enforced: fork refused"
rmdir "$cg/probe"
echo "OK: delegated cpu memory pids usable"
EOF

in_scope() { # who, command...: run in a fresh delegated scope as root or as $user
  local who=$1; shift
  if [[ $who == root ]]; then
    systemd-run --quiet --scope -p Delegate=yes -- "$@"
  else
    runuser -u "$user" -- env "${user_env[@]}" systemd-run --quiet --user --scope -p Delegate=yes -- "$@"
  fi
}

for who in $users; do
  section "self-check as $who"
  rc=0; in_scope "$who" bash -c "$selfcheck" || rc=$?
  status "selfcheck_$who" "$rc"
done

# Each user gets its own local copy (writable, owned by it): not 9p, not the
# synced folder, and no output of one run leaks into the other.
section "copying the checkout"
t=$SECONDS
base=/var/tmp/corral-src
rm -rf "$base"
mkdir -p "$base"
if [[ -n $tar ]]; then tar -C "$base" -xf "$tar"; else cp -a "$src/." "$base/"; fi
if [[ -f $base/package-lock.json && ! -d $base/node_modules ]]; then
  # Vagrant's synced folder leaves node_modules out (the host's may be for
  # another platform); the Vagrant guest has network, the qemu one has not.
  (cd "$base" && npm ci --no-audit --no-fund)
fi
# node_modules (most of the checkout's bytes and files) is shared, read-only:
# each user's node_modules holds a link to every package in the one copy,
# and a .cache of its own (ava writes there). Copying it per user, then
# chown -R, cost half a minute of the guest's CPU.
chmod 755 "$base"
declare -A dir
for who in $users; do
  if [[ $who == root ]]; then dir[$who]=/root/corral; else dir[$who]=$(getent passwd "$who" | cut -d: -f6)/corral; fi
  rm -rf "${dir[$who]}"
  mkdir -p "${dir[$who]}/node_modules"
  # One cp and one ln for all (a process start costs tens of ms under TCG).
  find "$base" -mindepth 1 -maxdepth 1 ! -name node_modules -exec cp -a -t "${dir[$who]}" {} +
  find "$base/node_modules" -mindepth 1 -maxdepth 1 ! -name .cache -exec ln -s -t "${dir[$who]}/node_modules" {} +
  chown -R "$who:" "${dir[$who]}"
done
echo "copied in $((SECONDS - t)) s"

run_as() { # who: the test command as that user, in its own scope; its log in $out/$who.log
  local who=$1 t=$SECONDS rc=0 home
  home=$(getent passwd "$who" | cut -d: -f6)
  section "running as $who in ${dir[$who]}: $cmd"
  # Node's compile cache (22.1+): the suite starts hundreds of Node processes
  # that load the same modules, and under TCG parsing them again each time
  # is a real share of the CPU. A process that cannot write there (a test's
  # uid 65534) runs without it, silently.
  runuser -u "$who" -- mkdir -p "$home/.cache/node-compile"
  # CORRAL_VM_WHO and CORRAL_VM_USERS tell the command who runs it and who
  # else does (test-vm/suite.sh runs the hermetic files in root's run only).
  in_scope "$who" env -C "${dir[$who]}" "${test_env[@]}" HOME="$home" NODE_COMPILE_CACHE="$home/.cache/node-compile" \
    CORRAL_VM_WHO="$who" CORRAL_VM_USERS="$users" \
    bash -c "$cmd" 2>&1 | tee "$out/$who.log" || rc=$?
  status "$who" "$rc"
  echo "$who: exit $rc after $((SECONDS - t)) s" | tee -a "$out/times"
}

if [[ -n $together ]]; then
  # Side by side: the suite waits on real time here and there (graces,
  # timeouts, a child's start-up), so one run leaves the 2 vCPUs idle while
  # it waits; the other fills them. Each run has its own delegated scope,
  # checkout and test tags, and the tests only touch what they started.
  t=$SECONDS
  pids=()
  for who in $users; do
    run_as "$who" 2>&1 | sed -u "s/^/[$who] /" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || true; done
  echo "side by side: $((SECONDS - t)) s" | tee -a "$out/times"
else
  for who in $users; do run_as "$who"; done
fi

# ava's closing lines ("12 tests passed", "1 known failure", ...) per user,
# then one plain "vm: N passed, N failed, N skipped" line over both users.
section "summary"
total_p=0 total_f=0 total_s=0 complete=1
: >"$out/summary"
for who in $users; do
  lines=$(grep -aE '^[[:space:]]*[0-9]+ (tests? (passed|failed|skipped|todo)|known failures?|uncaught exceptions?|unhandled rejections?)[[:space:]]*$' "$out/$who.log" |
    sed -E 's/^[[:space:]]+|[[:space:]]+$//g' || true)
  read -r p f s < <(awk '/passed/ {p += $1} / failed|uncaught|unhandled/ {f += $1} /skipped|todo/ {s += $1} END {print p+0, f+0, s+0}' <<<"$lines")
  [[ -n $lines ]] || complete=
  total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
  counts="(no ava summary in its output)"
  [[ -z $lines ]] || counts="ava: $(paste -sd, - <<<"$lines" | sed 's/,/, /g')"
  printf '%-8s exit %s  %s\n' "$who" "$(sed -n "s/^$who=//p" "$out/status")" "$counts" >>"$out/summary"
done
# Where the time went: the slowest tests of each run (ava prints a duration
# behind every test that took long enough to be worth it).
for who in $users; do
  echo "slowest tests as $who:"
  # ava's durations read like (657ms), (10.1s), (1m 10.8s).
  grep -aE '^[[:space:]]*✔ .* \(([0-9]+m ?)?([0-9.]+m?s)?\)$' "$out/$who.log" |
    awk '{
      d = $0; sub(/.* \(/, "", d); sub(/\)$/, "", d); v = 0
      n = split(d, part, " ")
      for (i = 1; i <= n; i++) {
        if (part[i] ~ /ms$/) v += part[i] / 1000; else if (part[i] ~ /s$/) v += part[i] + 0; else if (part[i] ~ /m$/) v += part[i] * 60
      }
      name = $0; sub(/^[[:space:]]*✔ /, "", name); sub(/ \([^()]*\)$/, "", name)
      printf "%9.1f s  %s\n", v, name
    }' | sort -rn | sed -n '1,12p' || true
done
cat "$out/times" 2>/dev/null || true
# The plain closing line only when every run printed ava's counts.
[[ -z $complete ]] || echo "vm: $total_p passed, $total_f failed, $total_s skipped" >>"$out/summary"
cat "$out/summary"
cat "$out/status"
echo "total in guest: $((SECONDS - t0)) s"
! grep -qv '=0$' "$out/status"
