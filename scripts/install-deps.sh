#!/usr/bin/env bash
# Installs what berth's build and tests need on a Debian machine, only when it
# is missing, and says what it installs and why.
#
#   scripts/install-deps.sh run    # what `make run` needs (nothing beyond Go)
#   scripts/install-deps.sh test   # what `make test` needs
#
# A freshly booted machine often has apt busy (unattended upgrades): the
# install waits up to DEPS_LOCK_TIMEOUT seconds (default 600) for the dpkg
# and apt locks instead of failing at once. DEPS_EXTRA names more packages
# to ensure (space-separated), as the script's own test does.
set -euo pipefail

what=${1:-test}
lock_timeout=${DEPS_LOCK_TIMEOUT:-600}

# package<TAB>why: one line per package, in install order.
test_packages() {
	cat <<'EOF'
libvirt0	the libvirt client library berth loads at run time (inventory, apply)
libvirt-daemon-system	a real libvirtd with the QEMU driver for the end-to-end tests
libvirt-daemon-driver-qemu	the QEMU driver, also for the two session daemons the migration tests run
qemu-system-x86	QEMU, to run the tiny test guests (TCG, no KVM needed)
qemu-utils	qemu-img, to make the test guests' disks
libvirt-clients	virsh, used by the end-to-end tests to look at what apply did
tmux	the explorer's end-to-end test drives berth explore in a tmux pane
chromium	the HTML report is opened, filtered and screenshotted in headless Chromium
prometheus	a real Prometheus (and promtool) for the load-history tests, on loopback
prometheus-libvirt-exporter	the libvirt exporter those tests scrape, against the real libvirtd
EOF
}

have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

need=() why=()
case "$what" in
run) ;;
test)
	while IFS=$'\t' read -r pkg reason; do
		have "$pkg" || { need+=("$pkg"); why+=("  $pkg: $reason"); }
	done < <(test_packages)
	for pkg in ${DEPS_EXTRA:-}; do
		have "$pkg" || { need+=("$pkg"); why+=("  $pkg: asked for in DEPS_EXTRA"); }
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
	echo "berth: installing ${#need[@]} Debian package(s) the tests need:" >&2
	printf '%s\n' "${why[@]}" >&2
	echo "berth: (waiting up to ${lock_timeout}s if apt or dpkg is busy)" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt_opts=(-o "DPkg::Lock::Timeout=$lock_timeout" -o Dpkg::Use-Pty=0)
	apt-get "${apt_opts[@]}" update -q >&2
	apt-get "${apt_opts[@]}" install -y -q --no-install-recommends "${need[@]}" >&2
	echo "berth: installed ${need[*]}" >&2
fi

# Without udev, /dev/kvm may be root-only: libvirtd then cannot use KVM and
# re-probes QEMU on every define (~40 s each). Give the kvm group access.
if [ "$what" = test ] && [ -e /dev/kvm ] && [ "$(id -u)" = 0 ] && getent group kvm >/dev/null; then
	chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
fi
