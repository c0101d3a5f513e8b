#!/bin/sh
# corral's guard: one per supervisor (the Node process that owns groups).
#
# Why a shell script: the guard must outlive a supervisor that dies without
# running any JavaScript (SIGKILL, OOM kill, a native crash) and then tear its
# groups down. It does almost nothing until then, so it should cost almost
# nothing: dash starts in about a millisecond and holds well under a megabyte,
# where a second Node process would cost tens of megabytes.
#
# The supervisor holds the only write end of our stdin. It sends one line per
# change (see src/guard/protocol.ts, which writes them):
#   C <slot> <cgroup directory>     guard this cgroup (the path may hold spaces)
#   P <slot> <pgid> <start time>    guard this process group; the start time is
#                                   the leader's, field 22 of /proc/<pgid>/stat
#   E <slot> <marker>               guard every process whose environment holds
#                                   CORRAL_GROUP=<marker> (a pgroup fallback group)
#   M <slot> <pid> <start time>     guard this one process, a member the supervisor's
#                                   tree walk saw outside its process groups
#   U <slot> [<slot>...]            forget these records (group closed or stood down)
#   S <n>                           sync: answer "S <n>" on stdout (tests, bench)
#   B                               goodbye: the supervisor exits normally and its
#                                   exit cleanup has killed what was registered
# EOF without B means the supervisor died: kill every registered group, remove
# the cgroup directories, exit. Fallback (P, E, M) members are stopped first,
# then their descendants are found through parent links and stopped too,
# until a scan finds nobody new; only then is everyone SIGKILLed, so no
# parent link breaks while we look (kill_fallback_members). After B the guard sends no signal; it only
# removes the registered cgroup directories once they have drained.
#
# Records live in shell variables r_<slot>; `slots` lists the slots ever set
# (compacted now and then), so nothing but this process holds the registry.

# The whole program is one { ... } block: the shell parses all of it before it
# runs a line, so replacing this file while a guard runs (a package upgrade)
# cannot feed the running guard a mix of old and new text.
{
cd / || exit 1
# Terminal and service-manager signals are not for us: the guard leaves when
# its pipe closes. A SIGTERM sent to a whole service (ours included) must not
# take the guard down before the supervisor, whose death it has to answer.
trap '' INT HUP TERM QUIT PIPE

slots=''
forgotten=0
said_goodbye=0

forget() {
  for s in "$@"; do
    unset "r_$s"
    forgotten=$((forgotten + 1))
  done
  # Rebuild the slot list once it is mostly dead, so a long-lived supervisor
  # that makes and closes groups forever keeps a small registry.
  if [ "$forgotten" -gt 256 ]; then
    kept=''
    for s in $slots; do
      eval "[ -n \"\${r_$s+set}\" ]" && kept="$kept $s"
    done
    slots=$kept
    forgotten=0
  fi
}

remember() { # slot record
  eval "was=\${r_$1+set}"
  [ -n "$was" ] || slots="$slots $1"
  eval "r_$1=\$2"
}

# Is process group $1 still the one we were told about (leader start time $2)?
# The leader itself, matched by start time; or, once the leader has exited,
# members of group $1 that started no earlier than it did (a recycled group id
# would have a new leader pid $1 alive with another start time).
pgroup_is_ours() {
  line=''
  if read -r line <"/proc/$1/stat" 2>/dev/null; then
    rest=${line##*) }
    set -- "$1" "$2" $rest
    eval "leader_start=\${22}"
    [ "$leader_start" = "$2" ]
    return
  fi
  for stat in /proc/[0-9]*/stat; do
    line=''
    read -r line <"$stat" 2>/dev/null || continue
    rest=${line##*) }
    set -- "$1" "$2" $rest
    eval "member_pgid=\${5} member_start=\${22}"
    [ "$member_pgid" = "$1" ] && [ "$member_start" -ge "$2" ] && return 0
  done
  return 1
}

populated() { # cgroup directory: true while it has live members (a removed one has none)
  p=0
  [ -r "$1/cgroup.events" ] || return 1
  while read -r key value; do
    if [ "$key" = populated ]; then p=$value; fi
  done <"$1/cgroup.events"
  [ "$p" = 1 ]
}

kill_cgroup() {
  # cgroup.kill (Linux 5.14+) kills every member of the subtree, setsid'd and
  # double-forked ones included. Without it: freeze, so nothing can fork while
  # we look, and SIGKILL every pid listed anywhere in the subtree (members may
  # have made cgroups of their own; a frozen task still dies of SIGKILL).
  # (CORRAL_GUARD_NO_CGROUP_KILL: a test seam that plays a kernel without it.)
  [ -z "${CORRAL_GUARD_NO_CGROUP_KILL-}" ] && { echo 1 >"$1/cgroup.kill"; } 2>/dev/null && return
  { echo 1 >"$1/cgroup.freeze"; } 2>/dev/null
  find "$1" -name cgroup.procs -type f 2>/dev/null | while IFS= read -r procs; do
    while read -r pid; do
      kill -9 "$pid" 2>/dev/null
    done <"$procs"
  done
}

remove_cgroup() {
  # The whole subtree, deepest first: sub-cgroups the tree made itself go
  # before their parents (rmdir of a cgroup with children is EBUSY).
  find "$1" -depth -type d -exec rmdir {} + 2>/dev/null
}

each_record() { # callback: called as "callback kind arg1 arg2" for every live record
  for s in $slots; do
    eval "record=\${r_$s-}"
    case $record in
      C\ *) "$1" C "${record#C }" ;;
      P\ *) "$1" P ${record#P } ;;
      E\ *) "$1" E ${record#E } ;;
      M\ *) "$1" M ${record#M } ;;
    esac
  done
}

kill_record() {
  case $1 in
    C) kill_cgroup "$2" ;;
    P) pgroup_is_ours "$2" "$3" && kill -9 "-$2" 2>/dev/null ;;
  esac
  return 0
}

# The fallback records as lookup variables: g_<pgid>=<leader start>,
# m_<pid>=<start>, and the grep patterns for the markers.
markers=''
fallback=0
index_record() {
  case $1 in
    P) pgroup_is_ours "$2" "$3" && eval "g_$2=\$3"; fallback=1 ;;
    M) eval "m_$2=\$3"; fallback=1 ;;
    E) markers="$markers CORRAL_GROUP=$2"; fallback=1 ;;
  esac
  return 0
}

# One pass over /proc: every process that is a member (in a guarded process
# group and started no earlier than its leader, a guarded pid with its start
# time, a carrier of a guarded marker, or a child of a member already taken)
# and not yet taken is taken (t_<pid>=1, listed in `taken`) and stopped.
# Sets `fresh` to how many were taken.
taken=''
take_members() {
  fresh=0
  marked=' '
  if [ -n "$markers" ]; then
    set -- -lazxF
    for m in $markers; do set -- "$@" -e "$m"; done
    # One grep reads every environment; its output is /proc/<pid>/environ lines.
    for path in $(grep "$@" /proc/[0-9]*/environ 2>/dev/null); do
      p=${path#/proc/}
      marked="$marked${p%/environ} "
    done
  fi
  for stat in /proc/[0-9]*/stat; do
    line=''
    read -r line <"$stat" 2>/dev/null || continue
    pid=${line%% *}
    eval "[ -z \"\${t_$pid-}\" ]" || continue
    rest=${line##*) }
    set -- $rest
    [ "$1" = Z ] && continue
    ppid=$2 pgid=$3
    shift 19
    start=$1
    member=0
    eval "g=\${g_$pgid-} m=\${m_$pid-} parent=\${t_$ppid-}"
    if [ -n "$parent" ]; then member=1
    elif [ -n "$g" ] && [ "$start" -ge "$g" ]; then member=1
    elif [ "$m" = "$start" ]; then member=1
    else case $marked in *" $pid "*) member=1 ;; esac
    fi
    [ "$member" = 1 ] || continue
    eval "t_$pid=1"
    taken="$taken $pid"
    kill -STOP "$pid" 2>/dev/null
    fresh=$((fresh + 1))
  done
}

kill_fallback_members() {
  each_record index_record
  [ "$fallback" = 1 ] || return 0
  rounds=0
  while [ "$rounds" -lt 64 ]; do
    take_members
    [ "$fresh" -eq 0 ] && break
    rounds=$((rounds + 1))
  done
  for pid in $taken; do kill -9 "$pid" 2>/dev/null; done
  return 0
}

pending=0
count_undrained() {
  [ "$1" = C ] && populated "$2" && pending=$((pending + 1))
  return 0
}

rekill_undrained() {
  [ "$1" = C ] && populated "$2" && kill_cgroup "$2"
  return 0
}

remove_record() {
  [ "$1" = C ] && [ -d "$2" ] && remove_cgroup "$2"
  return 0
}

# The teardown, in the steps and order of the cgroup mechanism's own
# (src/mechanisms/cgroup/cgroup-containment.ts, tearDown): kill, wait for the
# drain, remove the subtree deepest first with a bounded retry on EBUSY.
# Wait (bounded: about 5 s) until no registered cgroup has live members,
# killing again on the way when we did the killing ourselves.
wait_for_drain() {
  rounds=0
  while [ "$rounds" -lt 250 ]; do
    pending=0
    each_record count_undrained
    [ "$pending" -eq 0 ] && return
    [ "$said_goodbye" = 1 ] || each_record rekill_undrained
    sleep 0.02
    rounds=$((rounds + 1))
  done
}

# IFS= keeps a path's leading and trailing spaces; a last line without its
# newline was cut short by a dying writer and is not acted on.
while IFS= read -r line; do
  command=${line%% *}
  rest=${line#"$command"}
  rest=${rest# }
  case $command in
    C) remember "${rest%% *}" "C ${rest#* }" ;;
    P) remember "${rest%% *}" "P ${rest#* }" ;;
    E) remember "${rest%% *}" "E ${rest#* }" ;;
    M) remember "${rest%% *}" "M ${rest#* }" ;;
    U) forget $rest ;;
    S) echo "S $rest" ;;
    B) said_goodbye=1; break ;;
  esac
done

if [ "$said_goodbye" != 1 ]; then
  kill_fallback_members
  each_record kill_record
fi
wait_for_drain
# Bounded retries: rmdir can report EBUSY for a moment after the drain.
tries=0
while [ "$tries" -lt 5 ]; do
  each_record remove_record
  left=0
  for s in $slots; do
    eval "record=\${r_$s-}"
    case $record in C\ *) [ -d "${record#C }" ] && left=1 ;; esac
  done
  [ "$left" = 0 ] && break
  sleep 0.05
  tries=$((tries + 1))
done
exit 0
}
