# shellcheck shell=bash
# Sourced by the image builds (test-vm/, test-container/): remove_build_dir DIR
# removes a directory debootstrap worked in. debootstrap mounts proc and sys
# (and in containers binds /dev) in its target and leaves them if it fails:
# unmount what is below DIR first, deepest first, and never cross into another
# file system while deleting.
remove_build_dir() {
  local dir=$1
  awk -v w="$dir/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r m; do umount -l "$m" || true; done
  rm -rf --one-file-system "$dir"
}
