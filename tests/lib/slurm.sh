# shellcheck shell=bash
# A private one-node Slurm cluster (slurmctld + slurmd + munged) for tests, and a GNU parallel
# check (sourced; no systemd, no root needed). Touches nothing outside WORKDIR but a symlink
# directory /tmp/slurm.XXXXXX (removed by slurm_stop) and, for parallel_check, ~/.parallel.
#   slurm_start WORKDIR   start munged, slurmctld and slurmd under WORKDIR/slurm-cluster (wiped
#                         first), wait (30 s at most) until `sinfo` shows the node idle, export
#                         SLURM_CONF so sbatch/squeue/sinfo/scontrol/scancel use this cluster.
#                         On failure: prints why and the daemons' log tails, stops what it
#                         started, returns non-zero (tests fail on it: CI installs Slurm, see
#                         scripts/install-deps.sh, so a missing or broken Slurm is never a skip).
#   slurm_stop            stop slurmd, slurmctld and munged (pid files, TERM then KILL, bounded);
#                         safe to call at any time, twice, or with nothing started: use it in a
#                         trap (`trap slurm_stop EXIT`).
#   slurm_wait_job ID [SECONDS]  wait (default 120 s) until job ID (every task of an array) has
#                         ended; 0 when all COMPLETED, 1 when any ended otherwise (FAILED, ...),
#                         2 on timeout. Polls every 0.2 s; `sbatch --wait` also works but polls
#                         with a growing sleep, so it may return seconds after the job ended.
#   parallel_check        fail (return 1) unless `parallel` is GNU parallel; silences its
#                         citation notice for good by creating ~/.parallel/will-cite, so callers
#                         need not pass --will-cite (harmless if they do; needed only where HOME
#                         is not writable, which is warned about).
# After slurm_start: SLURM_CONF, SLURM_CLUSTER_DIR (the cluster's files, behind a short path; logs
# in log/), SLURM_NODE (the node's name), SLURM_MUNGE_SOCKET, SLURM_CTLD_PORT and SLURM_SLURMD_PORT
# are exported. slurm_stop cancels running jobs first. No slurmdbd: `sacct` does not work;
# finished jobs stay in `scontrol show job` for MinJobAge (1 hour).
# Runs as root (as CI does) or as any other user: every daemon runs as the calling user, and jobs
# run as that user too.

_slurm_log() { echo "slurm: $*" >&2; }

# The last lines of each daemon log, for a failure message.
_slurm_log_tails() {
  local f
  # The daemons' stderr (*.out) holds what they log, and also errors from before a log file opened.
  for f in "$SLURM_CLUSTER_DIR"/log/*.out "$SLURM_CLUSTER_DIR"/log/munged.log; do
    [[ -f "$f" ]] || continue
    echo "---- tail of $f" >&2
    tail -n 25 "$f" >&2
  done
}

_slurm_fail() {
  _slurm_log "FAIL: $*"
  _slurm_log_tails
  _slurm_log "FAIL: $* (daemon logs above)"
  slurm_stop
  return 1
}

# Two distinct free TCP ports (the kernel's choice, both held open at once so they differ; released
# just before the daemons bind them, so another process could, rarely, take one in between).
_slurm_free_ports() {
  python3 -c '
import socket
a, b = socket.socket(), socket.socket()
a.bind(("", 0)); b.bind(("", 0))
print(a.getsockname()[1], b.getsockname()[1])'
}

# Waits up to $1 seconds for the command after the daemon name $2 to succeed while that daemon
# (the pid in run/$2.bgpid) lives; says why and returns 1 when it never does.
_slurm_wait_up() {
  local limit=$1 daemon=$2 i pid
  shift 2
  pid=$(<"$SLURM_CLUSTER_DIR/run/$daemon.bgpid")
  for ((i = 0; i < limit * 5; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      local rc=0
      wait "$pid" 2>/dev/null || rc=$?
      _slurm_why="$daemon exited (status $rc) during start-up"
      return 1
    fi
    sleep 0.2
  done
  _slurm_why="$daemon runs but '$*' did not succeed within $limit s"
  return 1
}

_slurm_munge_ok() {
  munge -n --socket="$SLURM_MUNGE_SOCKET" | unmunge --socket="$SLURM_MUNGE_SOCKET"
}

_slurm_node_idle() {
  [[ "$(sinfo -h -N -n "$SLURM_NODE" -o '%t' 2>/dev/null)" == idle ]]
}

slurm_start() {
  local workdir=${1:?slurm_start WORKDIR}
  local cmd
  for cmd in munged munge unmunge slurmctld slurmd sinfo sbatch scontrol python3; do
    command -v "$cmd" >/dev/null 2>&1 || {
      _slurm_log "FAIL: $cmd not found (Debian packages slurm-wlm munge, scripts/install-deps.sh)"
      return 1
    }
  done
  [[ -z "${_SLURM_LINK_DIR:-}" ]] || slurm_stop

  mkdir -p "$workdir" || return 1
  local real
  real="$(cd "$workdir" && pwd -P)/slurm-cluster"
  rm -rf "$real"
  mkdir -p "$real"/{log,run,state,spool,munge} || return 1
  # munged insists that every directory above its socket be searchable by all, and that the key's
  # directory not be writable by others.
  chmod 0755 "$real" "$real/munge"
  chmod 0700 "$real/state" "$real/spool"

  # Every path Slurm and munged see goes through a short symlink under /tmp: a Unix socket path
  # (the munge socket) must fit in 108 bytes, which a path under a CI runner's build directory may
  # not, and slurm.conf ends an unquoted value at whitespace (a quoted StateSaveLocation="a b"
  # works in 22.05, but AuthInfo=socket=..., parsed again by the munge plugin, is not known to).
  _SLURM_LINK_DIR=$(mktemp -d /tmp/slurm.XXXXXX) || return 1
  chmod 0755 "$_SLURM_LINK_DIR"
  ln -s "$real" "$_SLURM_LINK_DIR/c"
  SLURM_CLUSTER_DIR="$_SLURM_LINK_DIR/c"
  local d=$SLURM_CLUSTER_DIR
  export SLURM_CLUSTER_DIR

  # munge: a fresh random key (mode 0400, as munged requires) and a daemon on a private socket.
  dd if=/dev/urandom of="$d/munge/munge.key" bs=1024 count=1 status=none || return 1
  chmod 0400 "$d/munge/munge.key"
  SLURM_MUNGE_SOCKET="$d/munge/munge.socket"
  export SLURM_MUNGE_SOCKET
  # --force: munged refuses some directory permissions a scratch directory may have (a group- or
  # world-writable parent); with --force it only warns. -F (foreground) in the background: see
  # slurmctld below.
  munged -F --force --socket="$SLURM_MUNGE_SOCKET" --key-file="$d/munge/munge.key" \
    --pid-file="$d/run/munged.pid" --log-file="$d/log/munged.log" \
    --seed-file="$d/munge/munged.seed" >>"$d/log/munged.out" 2>&1 </dev/null &
  echo $! >"$d/run/munged.bgpid"
  _slurm_wait_up 10 munged _slurm_munge_ok || { _slurm_fail "$_slurm_why"; return 1; }

  local user host ctld_port='' slurmd_port='' cpus
  user=$(id -un)
  host=$(hostname -s 2>/dev/null || uname -n | cut -d. -f1)
  SLURM_NODE=$host
  export SLURM_NODE
  read -r ctld_port slurmd_port < <(_slurm_free_ports) || true
  [[ -n "$slurmd_port" ]] || { _slurm_fail "no free TCP port"; return 1; }
  SLURM_CTLD_PORT=$ctld_port SLURM_SLURMD_PORT=$slurmd_port
  export SLURM_CTLD_PORT SLURM_SLURMD_PORT
  cpus=$(nproc)
  cat >"$d/slurm.conf" <<EOF
# Written by tests/lib/slurm.sh: a private one-node cluster; everything under $d.
ClusterName=vstress
# The controller's name must be this host's short name (slurmctld checks); reached at 127.0.0.1.
SlurmctldHost=$host(127.0.0.1)
# Ports the kernel just handed out, so clusters started side by side do not collide.
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
# Every daemon, and so every job, runs as the calling user: root is not needed.
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SLURM_MUNGE_SOCKET
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/run/slurmctld.pid
SlurmdPidFile=$d/run/slurmd.pid
SlurmctldLogFile=$d/log/slurmctld.log
SlurmdLogFile=$d/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# Not /etc/slurm/plugstack.conf: no site SPANK plugins. No /usr/bin/mail here: silence its error.
PlugStackConfig=$d/plugstack.conf
MailProg=/bin/true
# No cgroups (containers and non-root users lack them): none of these loads a cgroup plugin. slurmd
# would still parse a cgroup.conf next to this file (and die on a bad one); none is written.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# Backfill every second, not every 30 s: throttled array tasks (--array=...%N) and dependent jobs
# start within about a second instead of 3 to 30 s (a test's 8-task %2 array: 16 s, not 50 s).
SchedulerParameters=bf_interval=1
MpiDefault=none
# The node is UNKNOWN until slurmd registers; 2: it becomes idle then, whatever it was before.
ReturnToService=2
# Trust this file, not the hardware: a node whose sockets/cores/threads differ from CPUs= below
# (a VM, a container's CPU set) is not drained.
SlurmdParameters=config_overrides
# No slurmdbd, so no sacct: finished jobs (their state and exit code) stay in scontrol for 1 h.
MinJobAge=3600
# Array indices up to 10000 (the default, 1001, allows 0-1000).
MaxArraySize=10001
MaxJobCount=100000
# slurmd is started with -N $host. Memory is not a consumable (CR_Core), so RealMemory is nominal.
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=100 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  : >"$d/plugstack.conf"
  SLURM_CONF="$d/slurm.conf"
  export SLURM_CONF

  # -D (foreground) in the background: the daemons stay in the test's process group, so a test
  # killed by CTest's timeout takes them along; stdio goes to the logs, never to CTest's pipe.
  slurmctld -D -i -f "$SLURM_CONF" >>"$d/log/slurmctld.out" 2>&1 </dev/null &
  echo $! >"$d/run/slurmctld.bgpid"
  _slurm_wait_up 15 slurmctld scontrol ping || { _slurm_fail "$_slurm_why"; return 1; }
  slurmd -D -N "$host" -f "$SLURM_CONF" >>"$d/log/slurmd.out" 2>&1 </dev/null &
  echo $! >"$d/run/slurmd.bgpid"
  _slurm_wait_up 30 slurmd _slurm_node_idle || {
    sinfo -N -l >&2 || true
    _slurm_fail "$_slurm_why (node $host not idle)"
    return 1
  }
}

# Sends TERM to the pid in file $1 (if it is alive), waits up to $2 s, then KILL.
_slurm_stop_pidfile() {
  local file=$1 limit=$2 pid i
  [[ -f "$file" ]] || return 0
  pid=$(<"$file")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < limit * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  _slurm_log "pid $pid ($file) ignored TERM for ${limit} s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

slurm_stop() {
  [[ -n "${_SLURM_LINK_DIR:-}" ]] || return 0
  local d=$_SLURM_LINK_DIR/c i pid
  # Jobs first: slurmstepd and the job's processes outlive slurmd by design, so cancel every job
  # and wait (bounded) for the controller to see them gone, while both daemons still run.
  pid=$(cat "$d/run/slurmctld.bgpid" 2>/dev/null) || pid=
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null &&
    [[ -n "$(timeout 5 squeue -h -o %i 2>/dev/null)" ]]; then
    timeout 5 scancel -u "$(id -un)" 2>/dev/null || true
    for ((i = 0; i < 75; i++)); do
      [[ -z "$(timeout 5 squeue -h -o %i 2>/dev/null)" ]] && break
      sleep 0.2
    done
  fi
  _slurm_stop_pidfile "$d/run/slurmd.bgpid" 10
  _slurm_stop_pidfile "$d/run/slurmd.pid" 10
  _slurm_stop_pidfile "$d/run/slurmctld.bgpid" 10
  _slurm_stop_pidfile "$d/run/slurmctld.pid" 10
  _slurm_stop_pidfile "$d/run/munged.bgpid" 10
  _slurm_stop_pidfile "$d/run/munged.pid" 10
  rm -rf "$_SLURM_LINK_DIR"
  _SLURM_LINK_DIR=
  return 0
}

slurm_wait_job() {
  local id=${1:?slurm_wait_job ID [SECONDS]} limit=${2:-120} i states
  for ((i = 0; i < limit * 5; i++)); do
    states=$(scontrol -o show job "$id" 2>/dev/null | grep -oE ' JobState=[A-Z_]+' | cut -d= -f2 |
      sort -u | tr '\n' ' ') || true
    if [[ -n "$states" && ! "$states" =~ (PENDING|CONFIGURING|RUNNING|COMPLETING|SUSPENDED|REQUEUED|RESIZING|SIGNALING|STAGE_OUT) ]]; then
      [[ "$states" == "COMPLETED " ]] && return 0
      return 1
    fi
    sleep 0.2
  done
  _slurm_log "job $id still not ended after $limit s: ${states:-unknown to scontrol}"
  return 2
}

parallel_check() {
  command -v parallel >/dev/null 2>&1 ||
    { echo "parallel_check: FAIL: parallel not found (Debian package parallel)" >&2; return 1; }
  local version
  version=$(parallel --will-cite --version 2>&1 </dev/null | head -n 1)
  [[ "$version" == *"GNU parallel"* ]] ||
    { echo "parallel_check: FAIL: 'parallel' is not GNU parallel: $version" >&2; return 1; }
  # The notice is cosmetic, so a home without write access is only worth a warning; callers may
  # still pass --will-cite.
  { mkdir -p "$HOME/.parallel" && touch "$HOME/.parallel/will-cite"; } 2>/dev/null ||
    echo "parallel_check: warning: cannot create $HOME/.parallel/will-cite; pass --will-cite" >&2
  return 0
}
