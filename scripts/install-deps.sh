#!/usr/bin/env bash
# Installs what berth's build and tests need on a Debian machine, only when it
# is missing: libvirt0 (loaded at run time through the libvirt_dlopen tag) for
# every libvirt feature, and for the test suite also a real libvirtd with the
# QEMU driver (end-to-end inventory and apply tests), qemu-img and tmux (the
# TUI end-to-end test).
#
#   scripts/install-deps.sh run    # what `make run` needs (nothing beyond Go)
#   scripts/install-deps.sh test   # what `make test` needs
set -euo pipefail

what=${1:-test}
need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

case "$what" in
run) ;;
test)
	for p in libvirt0 libvirt-daemon-system qemu-system-x86 qemu-utils libvirt-clients tmux; do
		have "$p" || need+=("$p")
	done
	;;
*) echo "usage: $0 run|test" >&2; exit 2 ;;
esac

if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "berth: missing Debian packages: ${need[*]}; install them as root:" >&2
		echo "  apt-get install -y --no-install-recommends ${need[*]}" >&2
		exit 1
	fi
	echo "installing ${need[*]} ..." >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Without udev, /dev/kvm may be root-only: libvirtd then cannot use KVM and
# re-probes QEMU on every define (~40 s each). Give the kvm group access.
if [ "$what" = test ] && [ -e /dev/kvm ] && [ "$(id -u)" = 0 ] && getent group kvm >/dev/null; then
	chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
fi
