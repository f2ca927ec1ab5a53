#!/usr/bin/env bash
# Stop the one-node Slurm cluster started by scripts/start-local-slurm.sh:
# slurmd, slurmctld and munged (each by its own pid file), waiting for them
# to exit. With --purge it also removes $STATE_DIR and the slurm.conf the
# start script wrote. The packages stay installed.
set -uo pipefail

STATE_DIR=${STATE_DIR:-/var/tmp/local-slurm}
purge=0
[ "${1:-}" = "--purge" ] && purge=1

stop_pid() { # name pidfile
  local f=$2 pid
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "stop-local-slurm: $1 ($pid) ignores SIGTERM; sending SIGKILL" >&2
      kill -9 "$pid" 2>/dev/null
    fi
  fi
  rm -f "$f"
}

stop_pid slurmd "$STATE_DIR/run/slurmd.pid"
stop_pid slurmctld "$STATE_DIR/run/slurmctld.pid"
stop_pid munged /run/munge/munged.pid

if [ $purge = 1 ]; then
  rm -rf "$STATE_DIR"
  if grep -q 'start-local-slurm.sh' /etc/slurm/slurm.conf 2>/dev/null; then
    rm -f /etc/slurm/slurm.conf
  fi
fi
echo STOPPED
