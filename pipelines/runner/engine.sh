#!/usr/bin/env bash
# engine.sh — a private Docker engine for PipelineX runner containers.
#
# Usage: engine.sh [start|stop|status|restart]      (default: start)
#
#   start    install docker.io and debootstrap if missing, start a private dockerd
#            (own socket, data root, exec root, pidfile; no bridge, no firewall
#            rules, no IP forwarding) unless it already runs, wait until it
#            answers, and print its socket path on stdout. Idempotent.
#   stop     stop the private dockerd (and the containers it runs).
#   status   print whether it runs; exit 0 if it answers, 3 if not.
#
# Settings (environment):
#   PIPELINEX_DOCKER_SOCK      socket     (default /var/run/pipelinex-docker.sock)
#   PIPELINEX_DOCKER_ROOT      data root  (default /var/lib/pipelinex-docker)
#   PIPELINEX_DOCKER_EXECROOT  exec root  (default /var/run/pipelinex-docker)
#   PIPELINEX_DOCKER_LOG       daemon log (default /var/log/pipelinex-docker.log)
#   PIPELINEX_DOCKER_TIMEOUT   seconds to wait for the daemon to answer (default 60)
#
# Clients use it with:  docker -H unix://$(engine.sh start) ...
#
# This never starts a default daemon: the host keeps its network untouched (no
# docker0 bridge, no iptables/ip6tables rules, no ip_forward change). Containers
# get --network none (default here, since there is no bridge) or --network host.
set -euo pipefail

SOCK=${PIPELINEX_DOCKER_SOCK:-/var/run/pipelinex-docker.sock}
ROOT=${PIPELINEX_DOCKER_ROOT:-/var/lib/pipelinex-docker}
EXECROOT=${PIPELINEX_DOCKER_EXECROOT:-/var/run/pipelinex-docker}
PIDFILE="$EXECROOT.pid"
LOG=${PIPELINEX_DOCKER_LOG:-/var/log/pipelinex-docker.log}
TIMEOUT=${PIPELINEX_DOCKER_TIMEOUT:-60}

log() { echo "engine.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The client: any docker CLI on PATH (a newer static one negotiates the API down).
docker_cli() {
  command -v docker >/dev/null 2>&1 || die "no docker client on PATH"
  docker -H "unix://$SOCK" "$@"
}

show_log() {
  # The errors first (the log is chatty), then its last lines.
  local errs
  errs=$(grep -aE 'level=(error|fatal)|^failed|^Error' "$LOG" 2>/dev/null | tail -n 5 || true)
  [ -n "$errs" ] && printf 'errors in %s:\n%s\n' "$LOG" "$errs" >&2
  log "last lines of $LOG:"
  tail -n 30 "$LOG" >&2
}

answers() {
  [ -S "$SOCK" ] && timeout 10 docker -H "unix://$SOCK" info >/dev/null 2>&1
}

daemon_pid() {
  local pid
  [ -f "$PIDFILE" ] || return 1
  pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # A zombie (nobody reaped it) is dead too.
  [ "$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)" != Z ] || return 1
  # Make sure the pid is still a dockerd, not a recycled number.
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] || return 1
  echo "$pid"
}

APT_UPDATED=0
apt_install() {
  # apt_install PKG... — install what is missing; 'apt-get update' once when needed.
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "need root to install: ${missing[*]}"
  log "installing ${missing[*]}"
  # Never let a package's maintainer script start a service (for docker.io that
  # would be a DEFAULT daemon with a bridge and firewall rules).
  local made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    made_policy=1
  fi
  local need_update=0
  for p in "${missing[@]}"; do
    apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [0-9]' || need_update=1
  done
  if [ $need_update -eq 1 ] && [ $APT_UPDATED -eq 0 ]; then
    apt-get update -q >&2 && APT_UPDATED=1
  fi
  local rc=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 || rc=$?
  if [ $rc -ne 0 ] && [ $APT_UPDATED -eq 0 ]; then
    # Stale lists (404 on a superseded .deb): refresh once and try again.
    apt-get update -q >&2 && APT_UPDATED=1
    rc=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 || rc=$?
  fi
  [ $made_policy -eq 1 ] && rm -f /usr/sbin/policy-rc.d
  [ $rc -eq 0 ] || die "apt-get install ${missing[*]} failed"
}

find_dockerd() {
  local d
  for d in /usr/sbin/dockerd /usr/bin/dockerd; do
    [ -x "$d" ] && { echo "$d"; return 0; }
  done
  command -v dockerd 2>/dev/null || return 1
}

start() {
  if answers; then
    echo "$SOCK"
    return 0
  fi
  if pid=$(daemon_pid); then
    log "dockerd (pid $pid) runs but does not answer yet; waiting up to 15 s"
    for _ in $(seq 1 15); do
      if answers; then echo "$SOCK"; return 0; fi
      daemon_pid >/dev/null || break
      sleep 1
    done
    # A daemon that neither answers nor ends (left by a killed session) is replaced.
    if pid=$(daemon_pid); then
      log "dockerd (pid $pid) does not answer; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
    fi
  fi
  if ! daemon_pid >/dev/null; then
    # docker.io brings containerd and runc; debootstrap is for build-image.sh.
    apt_install docker.io debootstrap
    local dockerd
    dockerd=$(find_dockerd) || die "dockerd not found after installing docker.io"
    [ "$(id -u)" -eq 0 ] || die "need root to start dockerd"
    rm -f "$PIDFILE"
    # The containerd of a killed dockerd may outlive it and would block the new one.
    if pkill -KILL -f -- "containerd --config $EXECROOT/containerd/" 2>/dev/null; then
      log "removed the containerd a killed dockerd left behind"
      sleep 1
    fi
    rm -f "$EXECROOT/containerd/containerd.pid" "$EXECROOT"/containerd/containerd.sock*
    # A socket left by a dead daemon would make dockerd refuse to start.
    [ -S "$SOCK" ] && rm -f "$SOCK"
    mkdir -p "$ROOT" "$EXECROOT" "$(dirname "$SOCK")" "$(dirname "$LOG")"
    chmod 711 "$ROOT" "$EXECROOT"
    if [ -e /etc/docker/daemon.json ]; then
      log "note: /etc/docker/daemon.json exists and is read by dockerd too"
    fi
    log "starting $dockerd on $SOCK (log: $LOG)"
    {
      echo "=== $(date -Is) engine.sh start"
    } >>"$LOG"
    # setsid: its own session, so it outlives the shell that started it.
    setsid "$dockerd" \
      -H "unix://$SOCK" \
      --data-root "$ROOT" \
      --exec-root "$EXECROOT" \
      --pidfile "$PIDFILE" \
      --iptables=false \
      --ip6tables=false \
      --ip-forward=false \
      --ip-masq=false \
      --bridge=none \
      --userland-proxy=false \
      --storage-driver=overlay2 \
      </dev/null >>"$LOG" 2>&1 &
    local launched=$!
    disown "$launched" 2>/dev/null || true
  fi

  local waited=0
  until answers; do
    if [ -n "${launched:-}" ] && ! kill -0 "$launched" 2>/dev/null; then
      log "dockerd exited during start-up"
      show_log
      exit 1
    fi
    if [ $waited -ge "$TIMEOUT" ]; then
      log "dockerd did not answer on $SOCK within ${TIMEOUT}s"
      show_log
      if [ -n "${launched:-}" ]; then
        log "stopping the dockerd this call started (pid $launched)"
        kill -TERM "$launched" 2>/dev/null || true
      fi
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  log "dockerd answers on $SOCK (pid $(cat "$PIDFILE" 2>/dev/null || echo '?'))"
  echo "$SOCK"
}

stop() {
  local pid
  if ! pid=$(daemon_pid); then
    log "not running"
    rm -f "$PIDFILE"
    return 0
  fi
  log "stopping dockerd (pid $pid)"
  kill -TERM "$pid"
  # dockerd gives containers 15 s to stop, then shuts containerd down.
  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if [ $waited -ge 60 ]; then
      log "dockerd (pid $pid) still there after 60s; sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 1
    waited=$((waited + 1))
  done
  rm -f "$PIDFILE"
  # dockerd leaves its network-namespace mount under the exec root; drop it.
  local er m
  er=$(readlink -f "$EXECROOT" 2>/dev/null || echo "$EXECROOT")
  findmnt -rn -o TARGET 2>/dev/null | awk -v r="$er/" 'index($0, r) == 1' | sort -r |
    while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
  log "stopped"
}

status() {
  local pid
  if answers; then
    pid=$(daemon_pid || echo '?')
    echo "running: pid $pid, socket $SOCK, data root $ROOT"
    return 0
  fi
  if pid=$(daemon_pid); then
    echo "starting or unresponsive: pid $pid, socket $SOCK"
    return 3
  fi
  echo "not running (socket $SOCK)"
  return 3
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  restart) stop; start ;;
  -h|--help|help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) echo "usage: $0 [start|stop|status|restart]" >&2; exit 2 ;;
esac
