# The gauntlet: a hostile build, run by test/sandbox/gauntlet.test.ts as
# `corral run --user nobody --no-new-privs ... -- sh gauntlet.sh`. Every
# attempt prints one line, "attempt outcome", for the test to assert on.
# GAUNTLET_LIMITS=1: also the parts that need enforceable limits (a memory
# hog past memory.max, a fork bomb held at pids.max). GAUNTLET_SETUID: a
# setuid-root copy of `id` (prints euid=0 when setuid works).
say() { echo "$*"; }
own_group() { sed -n 's/^0:://p' /proc/self/cgroup; }

mount=$(grep -m1 ' - cgroup2 ' /proc/self/mountinfo | cut -d' ' -f5)
group=$mount$(own_group)
say group "$group"
say supervisor "$PPID"

# 1. Leave the group: our pid into every cgroup.procs we can find (the root and the group's parent among them).
# The root and the parent are one directory when the group sits right below the root.
tried=0
moved=0
tried_root=no
tried_parent=no
for procs in $(find "$mount" -name cgroup.procs 2>/dev/null); do
  [ "$procs" = "$group/cgroup.procs" ] && continue
  tried=$((tried + 1))
  [ "$procs" = "$mount/cgroup.procs" ] && tried_root=yes
  [ "$procs" = "${group%/*}/cgroup.procs" ] && tried_parent=yes
  if echo $$ 2>/dev/null >"$procs"; then moved=$((moved + 1)); fi
done
say escape-attempts "$tried"
say tried-root "$tried_root"
say tried-parent "$tried_parent"
say escaped "$moved"
say still-in "$mount$(own_group)"

# 2. A sub-cgroup of our own, and 3. higher limits.
if mkdir "$group/breakout" 2>/dev/null; then say sub-cgroup made; else say sub-cgroup refused; fi
for file in pids.max memory.max; do
  if echo max 2>/dev/null >"$group/$file"; then say "raise-$file" done; else say "raise-$file" refused; fi
done

# 4. Signal the supervisor and its guard (a child of the supervisor running guard.sh): SIGKILL, then a probe.
guards=
for cmdline in $(grep -ls guard.sh /proc/[0-9]*/cmdline); do
  pid=${cmdline#/proc/}
  pid=${pid%/cmdline}
  read -r stat 2>/dev/null <"/proc/$pid/stat" || continue
  set -- ${stat##*) }
  [ "$2" = "$PPID" ] && guards="$guards $pid"
done
say guards $guards
for target in $guards "$PPID"; do
  if out=$(kill -KILL "$target" 2>&1); then say signal "$target" delivered; else say signal "$target" "$out"; fi
  if out=$(kill -0 "$target" 2>&1); then say probe "$target" delivered; else say probe "$target" "$out"; fi
done

# 5. Daemonize, ignore SIGTERM, stop a child: all of it must still be stopped at the end.
setsid sleep 1000 &
(sh -c 'sleep 1000 &' &)
# The ignorer says when its trap is set, and the build waits for that: a
# build that ended first could have its SIGTERM arrive before the trap.
say ignorer "$(sh -c 'trap "" TERM; echo trapped; exec sleep 1000 >/dev/null 2>&1' &)"
sleep 1000 &
kill -STOP $!
say daemons started

# 6. Regain privileges through setuid programs.
if [ -n "$GAUNTLET_SETUID" ]; then say setuid-id "$("$GAUNTLET_SETUID")"; fi
if command -v sudo >/dev/null 2>&1; then say sudo "$(sudo -n true 2>&1) (exit $?)"; else say sudo absent; fi

if [ "$GAUNTLET_LIMITS" = 1 ]; then
  # 7. Past memory.max: OOM-killed inside the group.
  perl -e '$x = "a" x (512 * 1024 * 1024); print "survived\n"'
  say hog-exit "$?"
  say oom-kills "$(sed -n 's/^oom_kill //p' "$group/memory.events")"
  # 8. A fork bomb: it forks until pids.max refuses (dash then gives up).
  sh -c 'while :; do sleep 1000 & done' 2>/dev/null
  # No forks from here on: pids.max is full. Builtins only.
  hits=0
  while read -r key value; do [ "$key" = max ] && hits=$value; done <"$group/pids.events"
  read -r current <"$group/pids.current"
  say pids-max-hits "$hits"
  say pids-current "$current"
fi
say done
