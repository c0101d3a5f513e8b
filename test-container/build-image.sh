#!/usr/bin/env bash
# Builds (or finds) the Docker image the container tests run in: a Debian 12
# minbase root fs from debootstrap, imported with `docker import`, so no
# registry is needed. It holds sh, coreutils, util-linux (setsid) and
# perl-base: what the escape zoo uses; and libatomic1, which the official
# Node 26 binary links against (minbase lacks it). Node and the checkout are not in it;
# the tests bind-mount both (read-only), so every Node line of the host
# suite runs in the same image.
#
# Prints the image's name on stdout. Needs root, a running Docker daemon and
# the network to Debian's mirror (packages are cached beside the VM's).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
say() { printf '[test-container] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

mirror=${CORRAL_VM_MIRROR:-http://deb.debian.org/debian}
cache_root=${CORRAL_CONTAINER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/corral-container}
# The tag names what went into the image: a changed script is a new image.
image=corral-test-container:$(sha256sum "$here/build-image.sh" | cut -c1-16)

docker info >/dev/null 2>&1 || die "no Docker daemon answers (start one: test-container/start-docker.sh)"
if docker image inspect "$image" >/dev/null 2>&1; then echo "$image"; exit 0; fi
[[ $EUID -eq 0 ]] || die "building the image needs root (debootstrap)"
command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install debootstrap"

mkdir -p "$cache_root/debs"
work=$(mktemp -d "$cache_root/build.XXXXXX")
# shellcheck source=../scripts/remove-build-dir.sh
source "$here/../scripts/remove-build-dir.sh"
cleanup() { remove_build_dir "$work"; }
trap cleanup EXIT
start=$SECONDS
say "debootstrap bookworm minbase (packages cached in $cache_root/debs)"
debootstrap --variant=minbase --include=libatomic1 --cache-dir="$cache_root/debs" bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
rm -rf "$work"/rootfs/var/cache/apt/*.bin "$work"/rootfs/var/lib/apt/lists/* "$work"/rootfs/usr/share/doc/* "$work"/rootfs/usr/share/man/*
tar -C "$work/rootfs" -c . | docker import - "$image" >/dev/null
say "image $image built in $((SECONDS - start)) s"
echo "$image"
