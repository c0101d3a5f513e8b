#!/usr/bin/env bash
# Turns a Debian 12 system into corral's pure cgroup-v2 test host.
#
# One script for both ways of getting that guest:
#   provision.sh           Vagrant: runs as root in the booted box, with network.
#   provision.sh --image   test-vm/build-image.sh: runs in the debootstrap chroot,
#                          with no network and no running systemd, so everything
#                          here is done by writing files rather than by asking
#                          systemd/logind (they would not answer in a chroot).
set -euo pipefail

mode=vagrant
[[ "${1:-}" == --image ]] && mode=image

# The suite runs as this user inside a systemd-delegated subtree. uid 1000 is
# what the Vagrant boxes use, and what the guest scripts expect.
user=vagrant
uid=1000
# The current Active LTS line (26 since 2026-10-28); CORRAL_NODE_VERSION picks another.
node_version=${CORRAL_NODE_VERSION:-26.12.1}

log() { printf 'provision(%s): %s\n' "$mode" "$*"; }

# --- the delegated user ------------------------------------------------------
if ! id "$user" >/dev/null 2>&1; then
  useradd --create-home --uid "$uid" --shell /bin/bash "$user"
  log "created user $user ($uid)"
fi

# Lingering makes logind start user@1000.service at boot, without a login, so
# a boot-time test job (or `vagrant ssh -c`) finds the user manager and its
# D-Bus socket ready. The file is all `loginctl enable-linger` writes; writing
# it directly also works in the chroot.
install -d -m 0755 /var/lib/systemd/linger
touch "/var/lib/systemd/linger/$user"

# Debian's user@.service already says Delegate=yes (all controllers enabled at
# the slice). Spelling the controllers out documents what the tests need and
# keeps them if a future default narrows. The user slice must have them in its
# subtree_control for the user manager to pass them on; systemd enables a
# controller on the way down as soon as some unit below asks for it.
install -d -m 0755 /etc/systemd/system/user@.service.d
cat > /etc/systemd/system/user@.service.d/corral-delegate.conf <<'EOF'
# corral test host: the test suite sets memory, pids and cpu limits as an
# unprivileged user inside `systemd-run --user --scope -p Delegate=yes`.
[Service]
Delegate=cpu cpuset io memory pids
EOF

# --- pure cgroup v2 ----------------------------------------------------------
# bookworm's systemd already defaults to the unified hierarchy; the kernel
# argument pins it in case the box or a later default says otherwise. Only
# meaningful where grub boots the system (Vagrant); the qemu path passes the
# argument on its own -append line.
if [[ -f /etc/default/grub ]] && ! grep -q 'systemd.unified_cgroup_hierarchy=1' /etc/default/grub; then
  sed -i -e 's/^GRUB_CMDLINE_LINUX="\(.*\)"/GRUB_CMDLINE_LINUX="\1 systemd.unified_cgroup_hierarchy=1"/' \
    -e 's/^GRUB_CMDLINE_LINUX=" /GRUB_CMDLINE_LINUX="/' /etc/default/grub
  if [[ $mode == vagrant ]]; then update-grub; fi
  log "added systemd.unified_cgroup_hierarchy=1 to grub (effective after reboot)"
fi

if [[ $mode == image ]]; then
  # Node comes from the host (build-image.sh copies it); nothing else to fetch.
  log finished
  exit 0
fi

# --- Vagrant only: packages and Node, which need the network -----------------
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# dbus-user-session gives the user manager the bus that `systemd-run --user`
# talks to; rsync for Vagrant's synced folder; curl/xz for Node; redis-server
# for the job-queue example test (it starts its own server).
apt-get install -y -qq --no-install-recommends \
  dbus-user-session libpam-systemd sudo procps util-linux rsync \
  ca-certificates curl xz-utils redis-server >/dev/null

# Debian 12 ships Node 18; corral needs 20+. Official tarball, checked
# against the release's SHASUMS256.txt.
have=$(node -p 'process.versions.node' 2>/dev/null || true)
if [[ -z "$have" || "${have%%.*}" -lt 20 ]]; then
  case "$(dpkg --print-architecture)" in
    amd64) arch=x64 ;; arm64) arch=arm64 ;;
    *) echo "provision: no Node build for $(dpkg --print-architecture)" >&2; exit 1 ;;
  esac
  base="https://nodejs.org/dist/v$node_version"
  tarball="node-v$node_version-linux-$arch.tar.xz"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  curl -fsSL -o "$tmp/$tarball" "$base/$tarball"
  curl -fsSL -o "$tmp/SHASUMS256.txt" "$base/SHASUMS256.txt"
  (cd "$tmp" && grep " $tarball\$" SHASUMS256.txt | sha256sum -c --quiet -)
  tar -C /usr/local --strip-components=1 -xJf "$tmp/$tarball" \
    --exclude='*/CHANGELOG.md' --exclude='*/README.md' --exclude='*/LICENSE'
  log "installed Node $(/usr/local/bin/node --version)"
fi

# Start the lingering user manager now; after the reboot logind does it.
systemctl daemon-reload
loginctl enable-linger "$user"
log finished
