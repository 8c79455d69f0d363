#!/usr/bin/env bash
# Installs the Debian packages Berth builds and tests with, when any is missing:
# busybox-static (the image rootfs), runc/containerd/docker.io (the real
# implementations the differential tests compare against), the registry, the
# network tools, apache2-utils (htpasswd, for a registry with basic auth), a C++ toolchain for the native core, and the other judges of
# berthd: docker-py (python3-docker), docker-compose v1 and tini (docker's --init binary).
set -euo pipefail
need=()
have() { command -v "$1" >/dev/null 2>&1; }
[ -x /bin/busybox ] && { file -L /bin/busybox 2>/dev/null | grep -q 'statically linked'; } || need+=(busybox-static file)
have runc || need+=(runc)
have containerd || need+=(containerd)
have dockerd || need+=(docker.io)
have docker-registry || need+=(docker-registry)
have skopeo || need+=(skopeo)
have ip || need+=(iproute2)
have iptables || need+=(iptables)
have g++ || need+=(g++)
have make || need+=(make)
have python3 || need+=(python3)
# Debian's python3-docker lives in the system python, whatever python3 is on PATH
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import docker' 2>/dev/null || need+=(python3-docker)
have tini || need+=(tini)
# htpasswd -B: the registry with basic auth that login/push tests use
have htpasswd || need+=(apache2-utils)
have docker-compose || need+=(docker-compose)
# systemd-socket-activate: the fd:// (socket activation) test of berthd, which is skipped without it;
# optional, since systemd may not install everywhere (a container without it as init)
optional=()
have systemd-socket-activate || optional+=(systemd)
have ps || need+=(procps)
have npm || need+=(npm)
[ ${#need[@]} -eq 0 ] && [ ${#optional[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing packages: ${need[*]} (run as root, or apt-get install them)" >&2
  exit 1
fi
# Package scripts must not start services (dockerd, containerd): tests start their own.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
fi
export DEBIAN_FRONTEND=noninteractive
echo "installing: ${need[*]} ${optional[*]}" >&2
apt-get update -q >/dev/null
[ ${#need[@]} -eq 0 ] || apt-get install -y -q --no-install-recommends "${need[@]}" ca-certificates >/dev/null
if [ ${#optional[@]} -gt 0 ]; then
  apt-get install -y -q --no-install-recommends "${optional[@]}" >/dev/null \
    || echo "could not install ${optional[*]}: the tests that need it are skipped" >&2
fi
