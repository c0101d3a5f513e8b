#!/usr/bin/env bash
# Builds (or finds) the qemu test image: a Debian 12 root fs with systemd,
# pure cgroup v2, the delegated user from provision.sh and the host's Node.
# Prints the image directory (root.img, vmlinuz, initrd.img) on stdout.
#
# Needs root (debootstrap) and the network to Debian's mirror; nothing else.
# No loop mounts: the file system is made from a directory by mkfs.ext4 -d.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mirror=${CORRAL_VM_MIRROR:-http://deb.debian.org/debian}
# systemd as init and its user manager, the D-Bus session bus `systemd-run
# --user` needs, a kernel with an initrd, the tools the guest scripts use, and
# redis-server for the job-queue example test (started by the test itself).
packages=systemd,systemd-sysv,udev,dbus,dbus-user-session,libpam-systemd,linux-image-amd64,initramfs-tools,sudo,procps,util-linux,kmod,tar,xz-utils,redis-server

# stdout carries only the image directory; everything else goes to stderr.
exec 3>&1 1>&2
dest=$(image_dir)
if [[ -f $dest/ok ]]; then echo "$dest" >&3; exit 0; fi

[[ $EUID -eq 0 ]] || die "building the image needs root (debootstrap); run: sudo $0"
ensure_tools debootstrap:debootstrap mkfs.ext4:e2fsprogs qemu-img:qemu-utils flock:util-linux
mkdir -p "$cache_root"

# One build at a time per cache; a second caller waits, then finds it built.
exec 9>"$cache_root/.lock"
flock 9
if [[ -f $dest/ok ]]; then echo "$dest" >&3; exit 0; fi

work=$(mktemp -d "$cache_root/build.XXXXXX")
# shellcheck source=../scripts/remove-build-dir.sh
source "$vm_dir/../scripts/remove-build-dir.sh"
cleanup() { remove_build_dir "$work"; }
trap cleanup EXIT
rootfs=$work/rootfs
start=$SECONDS

say "debootstrap bookworm (packages cached in $cache_root/debs)"
mkdir -p "$cache_root/debs"
# INITRD=No: the kernel's postinst hook makes no initrd yet. Debian's default
# one (MODULES=most) packs every disk and file system driver: 36 MB, about
# 20 s of the build, and unpacked again at every boot under TCG. The one made
# below holds what this guest boots from and nothing else.
INITRD=No debootstrap --variant=minbase --include="$packages" --cache-dir="$cache_root/debs" \
  bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
say "debootstrap done after $((SECONDS - start)) s"

# The initrd: the virtio disk and ext4 (with what they depend on); 9p is
# loaded from the root fs (corral-vm-boot.sh).
echo MODULES=list >"$rootfs/etc/initramfs-tools/conf.d/corral-vm.conf"
printf '%s\n' virtio_pci virtio_blk ext4 >>"$rootfs/etc/initramfs-tools/modules"
kernels=("$rootfs"/lib/modules/*)
((${#kernels[@]} == 1)) || die "expected one kernel in the image, found: ${kernels[*]##*/}"
kernel=${kernels[0]##*/}
rm -f "$rootfs/boot/initrd.img-$kernel"
chroot "$rootfs" update-initramfs -c -k "$kernel" >"$work/initramfs.log" 2>&1 ||
  { tail -n 30 "$work/initramfs.log" >&2; die "update-initramfs failed"; }

# Users, linger, delegation: the same script Vagrant runs, in its offline mode.
install -m 0755 "$vm_dir/provision.sh" "$rootfs/tmp/provision.sh"
chroot "$rootfs" /bin/bash /tmp/provision.sh --image
rm -f "$rootfs/tmp/provision.sh"

# Node (see guest_node in lib.sh) and the host's npm: one binary plus npm's own directory.
install -m 0755 "$(guest_node)" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/lib/node_modules"
cp -a "$(host_npm_dir)" "$rootfs/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
chroot "$rootfs" /usr/local/bin/node --version >/dev/null || die "host Node does not run in the guest"

# The boot-time job runner; it writes to the serial console, so no getty there.
install -m 0755 "$vm_dir/image/corral-vm-boot.sh" "$rootfs/usr/local/sbin/corral-vm-boot"
install -m 0644 "$vm_dir/image/corral-vm.service" "$rootfs/etc/systemd/system/corral-vm.service"
ln -sf /etc/systemd/system/corral-vm.service "$rootfs/etc/systemd/system/multi-user.target.wants/corral-vm.service"
ln -sf /dev/null "$rootfs/etc/systemd/system/serial-getty@ttyS0.service"
# Timers that would only compete for the two emulated CPUs during a run.
for t in apt-daily apt-daily-upgrade dpkg-db-backup e2scrub_all fstrim man-db; do
  ln -sf /dev/null "$rootfs/etc/systemd/system/$t.timer"
done
# redis-server is there for the tests, which start their own on a socket;
# the packaged service would only compete for the CPUs.
ln -sf /dev/null "$rootfs/etc/systemd/system/redis-server.service"

echo corral-vm >"$rootfs/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 corral-vm\n' >"$rootfs/etc/hosts"
echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >"$rootfs/etc/fstab"
# Drop what no run reads, so the image is smaller and quicker to make.
rm -rf "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*

cp "$rootfs/boot/vmlinuz-$kernel" "$work/vmlinuz"
cp "$rootfs/boot/initrd.img-$kernel" "$work/initrd.img"
# Room for two copies of the checkout and test temp files. The file is
# sparse, so it stores only what is used, and it stays raw: each run boots it
# behind a throw-away qcow2 overlay (run.sh), so converting it to qcow2 would
# only cost time (13 s here).
mkfs.ext4 -q -F -L corral-root -d "$rootfs" "$work/root.img" 8G >/dev/null

rm -rf "$dest"
mkdir -p "$dest"
mv "$work/root.img" "$work/vmlinuz" "$work/initrd.img" "$dest/"
# Readable by a non-root user who boots it (qemu TCG needs no privileges).
chmod 0644 "$dest"/*
touch "$dest/ok"
say "image built in $((SECONDS - start)) s: $dest ($(du -sh "$dest" | cut -f1))"

# Images under other keys are stale (older scripts or Node); drop them.
for d in "$cache_root"/*/; do
  d=${d%/}
  if [[ $d != "$dest" && -f $d/ok ]]; then rm -rf "$d"; fi
done
echo "$dest" >&3
