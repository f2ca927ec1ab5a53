#!/usr/bin/env bash
# Start a real one-node Slurm cluster on 127.0.0.1 for tests and CI
# (Debian 12's slurmctld, slurmd, slurm-client and MUNGE; no systemd).
# Installs the packages with apt-get when they are missing (needs root),
# writes /etc/slurm/slurm.conf, starts munged, slurmctld and slurmd
# daemonized with their state under $STATE_DIR, checks with a real srun and
# prints READY. Running it again while the cluster is up does nothing.
#
#   STATE_DIR   state, spool, logs and pid files (default /var/tmp/local-slurm)
#
# Stop it with scripts/stop-local-slurm.sh [--purge].
set -euo pipefail

STATE_DIR=${STATE_DIR:-/var/tmp/local-slurm}
CONF=/etc/slurm/slurm.conf
export DEBIAN_FRONTEND=noninteractive

die() { echo "start-local-slurm: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (it installs packages and starts daemons)"

# 1. Packages (only when missing).
need=()
for p in slurmctld slurmd slurm-client munge; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

mkdir -p "$STATE_DIR"/{state,spool,log,run}

# 2. MUNGE: the key (the postinst usually creates it), /run/munge, munged
#    as the munge user (it refuses to run as root).
if [ ! -s /etc/munge/munge.key ]; then
  mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null || \
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge
chmod 0755 /run/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  rm -f /run/munge/munge.socket.2.lock
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n | unmunge >/dev/null || die "munged does not answer"
fi

# 3. slurm.conf: single node on 127.0.0.1, no DNS, root daemons.
host=$(hostname -s)
node=$(slurmd -C | head -n1)   # NodeName=… CPUs=… RealMemory=… as slurmd detects
new=$(mktemp)
cat >"$new" <<EOF
# Written by scripts/start-local-slurm.sh: a one-node test cluster.
ClusterName=local
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=${STATE_DIR}/log/jobcomp.log
MinJobAge=300
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MaxArraySize=100001
MaxJobCount=200000
StateSaveLocation=${STATE_DIR}/state
SlurmdSpoolDir=${STATE_DIR}/spool
SlurmctldPidFile=${STATE_DIR}/run/slurmctld.pid
SlurmdPidFile=${STATE_DIR}/run/slurmd.pid
SlurmctldLogFile=${STATE_DIR}/log/slurmctld.log
SlurmdLogFile=${STATE_DIR}/log/slurmd.log
${node} NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
mkdir -p /etc/slurm
changed=0
if ! cmp -s "$new" "$CONF"; then
  install -m 0644 "$new" "$CONF"
  changed=1
fi
rm -f "$new"

running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
if [ $changed = 1 ]; then
  for d in slurmd slurmctld; do
    if running "$STATE_DIR/run/$d.pid"; then
      kill "$(cat "$STATE_DIR/run/$d.pid")"
      for _ in $(seq 100); do running "$STATE_DIR/run/$d.pid" || break; sleep 0.1; done
    fi
  done
fi

# 4. Daemons.
running "$STATE_DIR/run/slurmctld.pid" || slurmctld -f "$CONF"
for _ in $(seq 100); do scontrol ping >/dev/null 2>&1 && break; sleep 0.1; done
scontrol ping >/dev/null 2>&1 || die "slurmctld does not answer; see $STATE_DIR/log/slurmctld.log"
running "$STATE_DIR/run/slurmd.pid" || slurmd -f "$CONF"

# 5. A real job, not only sinfo (which may report saved state): srun.
ok=0
for _ in $(seq 60); do
  if timeout 20 srun -N1 -n1 -t1 true >/dev/null 2>&1; then ok=1; break; fi
  scontrol update NodeName="${host}" State=RESUME >/dev/null 2>&1 || true
  sleep 0.5
done
[ $ok = 1 ] || die "srun does not run; see $STATE_DIR/log/slurmd.log and slurmctld.log"
echo READY
