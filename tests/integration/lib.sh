# Shared set-up for the integration tests (sourced). Each test gets a directory of its own
# ($MILEX_TEST_ROOT, from CTest) holding a fresh HOME, a machine config and the local machine's
# path, and runs the built binaries against the local SLURM cluster.
set -euo pipefail
: "${MILEX_BIN:?run through ctest}" "${MILEX_VENV:?}" "${MILEX_SOURCE_DIR:?}" "${MILEX_TEST_ROOT:?}"

T=$MILEX_TEST_ROOT
rm -rf "$T"
mkdir -p "$T/home"
export HOME=$T/home
export MILEX_CONFIG=$HOME/.milexconfig
export PATH=$MILEX_BIN:$MILEX_VENV/bin:$MILEX_SOURCE_DIR/examples/shell:$PATH
unset VISUAL EDITOR MILEX_CLI_TIMEOUT MILEX_CLI_JOBS
M=$T/milex # the local machine's path
cd "$T"

# The scheduler of the local machine: tests that exist for both (tests/CMakeLists.txt registers
# them twice) run once with SLURM and once with the local Grid Engine cell (MILEX_TEST_SCHEDULER=sge).
SCHED=${MILEX_TEST_SCHEDULER:-slurm}
if [ "$SCHED" = sge ]; then
  # Grid Engine's programs themselves, first on PATH for milex and the checks: Debian's /usr/bin
  # wrappers run util/arch each time, seconds on a busy machine.
  export SGE_ROOT=${SGE_ROOT:-/var/lib/gridengine} SGE_CELL=${SGE_CELL:-default}
  export SGE_ARCH=${SGE_ARCH:-$(/usr/share/gridengine/util/arch)} PATH=/usr/lib/gridengine:$PATH
fi

# Jobs this test submitted; whatever is left pending when it ends is cancelled.
SUBMITTED_IDS=()
cleanup_jobs() {
  if [ ${#SUBMITTED_IDS[@]} -gt 0 ]; then
    if [ "$SCHED" = sge ]; then qdel "${SUBMITTED_IDS[@]}" >/dev/null 2>&1 || true
    else scancel "${SUBMITTED_IDS[@]}" 2>/dev/null || true; fi
  fi
}
# Container images this test made (podman, with unique names); removed when it ends.
TEST_IMAGES=()
cleanup_images() {
  if [ ${#TEST_IMAGES[@]} -gt 0 ]; then podman rmi -f "${TEST_IMAGES[@]}" >/dev/null 2>&1 || true; fi
}
trap 'cleanup_jobs; cleanup_images' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

expect_eq() { # actual expected what
  [ "$1" == "$2" ] || fail "$3: expected [$2], got [$1]"
}

expect_contains() { # text needle what
  [[ "$1" == *"$2"* ]] || fail "$3: [$2] not found in: $1"
}

configure_local() { # the local machine, its jobs running in the examples' venv (on $SCHED)
  milex-configuration --set "local.path=$M" --set "local.env_command=source $MILEX_VENV/bin/activate" >/dev/null
  if [ "$SCHED" = sge ]; then
    milex-configuration --set local.scheduler=sge --set local.parallel_environment=smp >/dev/null
  fi
}

run_record() { # bundle-name → the newest run record of that bundle on local
  ls -t "$M"/runs/"$1"_*@local.*.json | head -n1
}

record_ids() { # record → "name=id" lines, in submission order
  python3 -c 'import json,sys
for j in json.load(open(sys.argv[1]))["jobs"]: print(j["name"] + "=" + j["job_id"])' "$1"
}

record_id() { # record job-name → SLURM id of its latest attempt
  record_ids "$1" | sed -n "s/^$2=//p" | tail -n 1
}

remember_ids() { # record: cancel its jobs at the end whatever happens
  local id
  for id in $(record_ids "$1" | cut -d= -f2); do SUBMITTED_IDS+=("$id"); done
}

job_field() { # id field → value from scontrol (first task of an array)
  scontrol show job -o "$1" 2>/dev/null | head -n1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}

sge_state() { # id → the job's state as Grid Engine's own commands tell it, in SLURM's words
  local s acct
  if s=$(qstat -j "$1" 2>/dev/null) && [ -n "$s" ]; then
    if qstat -u '*' 2>/dev/null | awk -v id="$1" '$1 == id { print $5 }' | grep -q r; then echo RUNNING; else echo PENDING; fi
    return
  fi
  acct=$(qacct -j "$1" 2>/dev/null) || acct=
  if [ -z "$acct" ]; then
    # No accounting: never started. The script's never-run mark, or deleted before it ran.
    if grep -qs '^never-ran' "$M"/slurm/*-"$1".status; then echo NEVER_RAN; else echo CANCELLED; fi
    return
  fi
  local failed exit
  failed=$(awk '$1 == "failed" { print $2 }' <<<"$acct" | sort -u | tail -n1)
  exit=$(awk '$1 == "exit_status" { print $2 }' <<<"$acct" | sort -un | tail -n1)
  if grep -qs '^never-ran' "$M"/slurm/*-"$1".status; then echo NEVER_RAN
  elif [ "$failed" = 0 ] && [ "$exit" = 0 ]; then echo COMPLETED
  elif [ "$failed" = 100 ]; then echo CANCELLED
  elif [ "$failed" = 37 ]; then echo TIMEOUT
  else echo FAILED; fi
}

job_state() { # id → COMPLETED, FAILED, PENDING, … as the scheduler itself tells it
  if [ "$SCHED" = sge ]; then sge_state "$1"; else job_field "$1" JobState; fi
}

job_name() { # id → the job's name as the scheduler knows it
  if [ "$SCHED" = sge ]; then
    qstat -j "$1" 2>/dev/null | awk '$1 == "job_name:" { print $2 }' | grep . ||
      qacct -j "$1" 2>/dev/null | awk '$1 == "jobname" { print $2; exit }'
  else job_field "$1" JobName; fi
}

wait_done() { # ids… → waits until none is pending or running (at most 180 s)
  local deadline=$((SECONDS + 180)) id state busy
  while :; do
    busy=0
    for id in "$@"; do
      if [ "$SCHED" = sge ]; then
        # Gone from the queue and, unless it never started, in the accounting file.
        if qstat -j "$id" >/dev/null 2>&1; then busy=1
        elif ! qacct -j "$id" >/dev/null 2>&1 && ! grep -qs '^never-ran' "$M"/slurm/*-"$id".status &&
             [ $SECONDS -lt $((deadline - 170)) ]; then busy=1; fi
        continue
      fi
      state=$(scontrol show job -o "$id" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 | sort -u | tr '\n' ' ')
      case "$state" in *PENDING* | *RUNNING* | *CONFIGURING* | *COMPLETING* | *SUSPENDED* | "") busy=1 ;; esac
    done
    [ $busy -eq 0 ] && return 0
    [ $SECONDS -lt $deadline ] || fail "jobs $* still not finished after 180 s"
    sleep 0.5
  done
}

queued_tags() { # → the tag of each job of this user in the queue, one a line
  if [ "$SCHED" = sge ]; then
    local ids
    ids=$(qstat -u "$(id -un)" 2>/dev/null | awk 'NR > 2 { print $1 }' | sort -u | paste -sd, -)
    [ -z "$ids" ] || qstat -j "$ids" 2>/dev/null | sed -n 's/^context: *milex_tag=//p'
  else
    squeue -h --me -o %k
  fi
}

log_of() { # job-name id → its output file
  echo "$M/slurm/$1-$2.out"
}

snapshot() { # every file under the test dir with its content hash (lock files aside)
  (cd "$T" && find . ! -name '.*.lock' -print0 | LC_ALL=C sort -z | xargs -0 -I{} sh -c \
    'if [ -f "$1" ]; then printf "%s %s\n" "$1" "$(sha256sum <"$1" | cut -c1-16)"; else printf "%s/\n" "$1"; fi' _ {})
}

expect_error() { # expected-exit expected-stderr command… → runs it, checks exit code and the one error line
  local code=$1 message=$2
  shift 2
  local out rc=0
  out=$("$@" 2>&1 >/dev/null) || rc=$?
  expect_eq "$rc" "$code" "exit code of: $*"
  expect_eq "$(printf '%s\n' "$out" | grep -c '^milex: error: ')" "1" "one error line from: $*  ($out)"
  expect_eq "$(printf '%s\n' "$out" | grep '^milex: error: ')" "milex: error: $message" "error of: $*"
}

busybox_image() { # label-or-empty → sets IMAGE to the name of a new podman image made of Debian's static busybox
  # (no registry is reachable: imported from a local directory), holding a stand-in application
  # `milex-example-sh` that writes its arguments, NUL-separated, to /out/args-$OUT and $MSG to
  # /out/msg-$OUT (bind /out to see them), and says where it ran.
  local name="localhost/milex-test-$(basename "$T")-$$-${#TEST_IMAGES[@]}:1" root="$T/image-root-${#TEST_IMAGES[@]}" tool
  mkdir -p "$root/bin" "$root/usr/local/bin" "$root/out" "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for tool in sh cat echo printf pwd ls env test true false sleep id; do ln -s busybox "$root/bin/$tool"; done
  cat >"$root/usr/local/bin/milex-example-sh" <<'SH'
#!/bin/sh
printf '%s\0' "$@" >"/out/args-$OUT"
printf '%s' "$MSG" >"/out/msg-$OUT"
echo "milex-example-sh in the container, in $(pwd), $# arguments"
SH
  chmod +x "$root/usr/local/bin/milex-example-sh"
  local change=()
  [ -z "$1" ] || change=(--change "LABEL $1")
  tar -C "$root" -cf "$root.tar" .
  podman import "${change[@]}" "$root.tar" "$name" >/dev/null 2>"$root.log" || { cat "$root.log" >&2; return 1; }
  TEST_IMAGES+=("$name")
  IMAGE=$name
}

# podman here runs rootful containers only with runc and lowered limits (CLUSTER-NOTES.md).
PODMAN_OPTIONS='--runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024'

# ---- remote machines: the cluster's sshd as its test user ------------------------------------
# configure_remote NAME [TRANSPORT] writes an ssh client config ($T/ssh_config, used through
# MILEX_SSH_CONFIG: ssh reads the real user's ~/.ssh, not $HOME) with an alias `cluster`, and a
# machine config with `local` and a remote machine NAME whose path is $R (/home/<user>/milex-<test>,
# wiped now). Jobs there run as the test user, in the examples' venv.
remote_setup() {
  eval "$("$MILEX_SOURCE_DIR/tools/cluster" env)"
  : "${MILEX_TEST_SSH_HOST:?}" "${MILEX_TEST_SSH_PORT:?}" "${MILEX_TEST_SSH_USER:?}"
  RUSER=$MILEX_TEST_SSH_USER
  RHOME=$(getent passwd "$RUSER" | cut -d: -f6)
  R=$RHOME/milex-$(basename "$T")
  rm -rf "$R"
  # Keys the test may copy, break or withhold: its own copies.
  mkdir -p "$T/keys"
  cp "$MILEX_TEST_SSH_KEY" "$T/keys/id"
  cp "$MILEX_TEST_KNOWN_HOSTS" "$T/keys/known_hosts"
  chmod 600 "$T/keys/id"
  write_ssh_config "$MILEX_TEST_SSH_PORT"
  export MILEX_SSH_CONFIG=$T/ssh_config
  unset SSH_AUTH_SOCK
  # OpenSSH's ControlMaster socket goes in a private directory here, which must be empty at the end.
  export TMPDIR=$T/tmp XDG_RUNTIME_DIR=
  mkdir -p "$TMPDIR"
}

write_ssh_config() { # port → $T/ssh_config with the alias `cluster`
  cat >"$T/ssh_config" <<CONF
Host cluster
  HostName $MILEX_TEST_SSH_HOST
  Port $1
  User $MILEX_TEST_SSH_USER
  IdentityFile $T/keys/id
  IdentitiesOnly yes
  UserKnownHostsFile $T/keys/known_hosts
  StrictHostKeyChecking yes
CONF
}

# remote_config NAME:TRANSPORT[:EXTRA-JSON]… → the config: `local`, and each remote machine NAME on the
# alias `cluster`, its path ~/milex-<test>/NAME (that is $R/NAME).
remote_config() {
  local spec name transport extra
  {
    echo "{"
    echo "  \"local\": {\"path\": \"$M\", \"env_command\": \"source $MILEX_VENV/bin/activate\"}"
    for spec in "$@"; do
      IFS=: read -r name transport extra <<<"$spec"
      echo "  ,\"$name\": {\"hostname\": \"cluster\", \"transport\": \"$transport\", \"path\": \"~/milex-$(basename "$T")/$name\","
      echo "    \"env_command\": \"source $MILEX_VENV/bin/activate; export PATH=$MILEX_SOURCE_DIR/examples/shell:\$PATH\"${extra:+, $extra}"
      [ "$SCHED" != sge ] || echo "    , \"scheduler\": \"sge\", \"parallel_environment\": \"smp\""
      echo "  }"
    done
    echo "}"
  } >"$MILEX_CONFIG"
  mkdir -p "$M"/{jobs,slurm,runs,models,results,data}
}

# own_sshd [sshd_config lines…] → an sshd of this test's own: the cluster's config on a free port
# with its own PID file and these lines instead of the cluster's; trusted in $T/keys/known_hosts, the alias `cluster`
# pointed at it, stopped when the test ends. start_sshd/stop_sshd start and kill it again (by PID,
# with its sessions).
own_sshd() {
  local line
  OWN_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  sed -e "s/^Port .*/Port $OWN_PORT/" -e "s|^PidFile .*|PidFile $T/sshd.pid|" "$MILEX_CLUSTER_DIR/ssh/sshd_config" >"$T/sshd_config"
  for line in "$@"; do # sshd takes a keyword's first value: the cluster's goes
    sed -i "/^${line%% *} /d" "$T/sshd_config"
    echo "$line" >>"$T/sshd_config"
  done
  echo "[$MILEX_TEST_SSH_HOST]:$OWN_PORT $(cut -d' ' -f1,2 "$MILEX_CLUSTER_DIR/ssh/ssh_host_ed25519_key.pub")" >>"$T/keys/known_hosts"
  write_ssh_config "$OWN_PORT"
  trap 'stop_sshd; cleanup_jobs' EXIT
  start_sshd
}
start_sshd() {
  rm -f "$T/sshd.pid"
  /usr/sbin/sshd -f "$T/sshd_config" -E "$T/sshd.log"
  for _ in $(seq 100); do [ -s "$T/sshd.pid" ] && return 0; sleep 0.05; done
  fail "sshd did not start: $(cat "$T/sshd.log")"
}
descendants() { # pid → it and every process under it
  local child
  echo "$1"
  for child in $(ps -o pid= --ppid "$1"); do descendants "$child"; done
}
stop_sshd() { # the sshd this test started and its sessions, by PID
  [ -s "$T/sshd.pid" ] || return 0
  kill -9 $(descendants "$(cat "$T/sshd.pid")") 2>/dev/null || true
  rm -f "$T/sshd.pid"
}

remote_log_of() { # machine job-name id → its output file on the remote side (readable here: same host)
  echo "$R/$1/slurm/$2-$3.out"
}

remote_record() { # bundle-name machine → the newest run record of that bundle on that machine
  ls -t "$M"/runs/"$1"_*@"$2".*.json | head -n1
}

start_requeued() { # id → lets a job SLURM queued again start as soon as it can, not after cred_expire
  # SLURM holds a requeued job for its credential lifetime (cred_expire, 120 s): its next launch
  # credential must be newer than the revocation of the old one. Once it is pending again, a start
  # two seconds on (past the second of the revocation, which slurmd compares in whole seconds)
  # is safe; earlier, the launch fails at once (FAILED, exit 1).
  local deadline=$((SECONDS + 120))
  until [ "$(job_field "$1" JobState)" = PENDING ] && [ "$(job_field "$1" Reason)" = BeginTime ]; do
    [ $SECONDS -lt $deadline ] || fail "job $1 is not pending after its requeue: $(job_field "$1" JobState)"
    sleep 0.5
  done
  sleep 2
  scontrol update jobid="$1" StartTime=now
}
