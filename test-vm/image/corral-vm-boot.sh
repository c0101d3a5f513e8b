#!/bin/bash
# Boot-time entry of the qemu test guest (corral-vm.service): mount the host's
# share, run the job.sh the host put there, report, power off. Whatever
# happens, the guest must power off, or the host waits for its timeout.
set -uo pipefail

share=/mnt/host
rc=0
mkdir -p "$share"
# 9p over virtio is not in the initrd; the root fs is up, so load it here.
modprobe -a 9pnet_virtio 9p
# A large msize makes the one big read of the source tarball fast.
if mount -t 9p -o trans=virtio,version=9p2000.L,msize=1048576 hostshare "$share"; then
  bash "$share/job.sh" "$share" || rc=$?
  sync
  umount "$share" || true
else
  echo "corral-vm: could not mount the host share" >&2
  rc=99
fi
# The host greps for this line when the share has no result file.
echo "CORRAL-VM-EXIT $rc"
systemctl --no-block poweroff
