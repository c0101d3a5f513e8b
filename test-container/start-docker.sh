#!/usr/bin/env bash
# Makes sure a Docker daemon answers: installs Debian's docker.io when dockerd
# is missing, and starts dockerd in the background when none runs (CI's
# machines boot without an init that would). Waits for it, bounded. Exit 0
# when `docker info` answers, printing the pid of the dockerd it started
# (nothing when one was already running), so that the caller can stop it;
# otherwise 1, saying why (the caller decides whether that fails CI).
set -euo pipefail
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
say() { printf '[test-container] %s\n' "$*" >&2; }

if docker info >/dev/null 2>&1; then exit 0; fi  # one runs already: not ours to stop
if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
  [[ $EUID -eq 0 ]] || { say "dockerd or debootstrap is missing, and only root can install them"; exit 1; }
  say "installing docker.io and debootstrap"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap >&2
fi
log=${TMPDIR:-/tmp}/corral-dockerd.log
say "starting dockerd (log: $log)"
setsid dockerd >"$log" 2>&1 < /dev/null &
pid=$!
# dockerd answers within seconds here; 120 s only bounds a daemon that never will.
for _ in $(seq 1 240); do
  if docker info >/dev/null 2>&1; then say "dockerd answers (pid $pid)"; echo "$pid"; exit 0; fi
  if ! kill -0 "$pid" 2>/dev/null; then say "dockerd exited:"; tail -n 20 "$log" >&2; exit 1; fi
  sleep 0.5
done
say "dockerd did not answer within 120 s:"; tail -n 20 "$log" >&2
kill "$pid" 2>/dev/null || true
exit 1
