# shellcheck shell=bash
# Shared configuration and helpers of infra/local/{stack,install-deps,run-tests}. Sourced, not run.
#
# Every port = its default (or the RD_*_PORT given) + RD_PORT_OFFSET, so stacks side by side only
# need different offsets (and, in one work tree, different RD_STATE_DIRs).

RD_LOCAL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RD_REPO=$(cd "$RD_LOCAL_DIR/../.." && pwd)
RD_STATE_DIR=${RD_STATE_DIR:-$RD_REPO/.rd-state}
# Services and tests started from these scripts: idle OpenMP threads sleep rather than spin (2 shared cores).
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}

rd_offset=${RD_PORT_OFFSET:-0}
KAFKA_PORT=$(( ${RD_KAFKA_PORT:-19092} + rd_offset ))
KAFKA_CONTROLLER_PORT=$(( ${RD_KAFKA_CONTROLLER_PORT:-19093} + rd_offset ))
PG_PORT=$(( ${RD_PG_PORT:-15432} + rd_offset ))
S3_PORT=$(( ${RD_S3_PORT:-19000} + rd_offset ))

DB_NAME=${RD_DB_NAME:-rotationdrag}
DB_USER=${RD_DB_USER:-rotationdrag}
DB_PASSWORD=${RD_DB_PASSWORD:-rotationdrag}
S3_ACCESS_KEY=${RD_S3_ACCESS_KEY:-rotationdrag}
S3_SECRET_KEY=${RD_S3_SECRET_KEY:-rotationdrag-secret}
S3_REGION=${RD_S3_REGION:-us-east-1}

# docs/architecture.md: one topic per stage plus retry and dead-letter topics; 6 partitions so that up to
# six workers of a stage consume in parallel.
KAFKA_PARTITIONS=${RD_KAFKA_PARTITIONS:-6}
KAFKA_TOPICS=()
for t in rd.stage.lora rd.stage.drag rd.stage.eval; do KAFKA_TOPICS+=("$t" "$t.retry" "$t.dlq"); done
S3_BUCKETS=(rd-jobs rd-models rd-datasets)

PG_BIN=${RD_PG_BIN:-/usr/lib/postgresql/15/bin}

LOGS_DIR=$RD_STATE_DIR/logs
PIDS_DIR=$RD_STATE_DIR/pids
KAFKA_DIR=$RD_STATE_DIR/kafka
S3_DIR=$RD_STATE_DIR/s3
ENV_FILE=$RD_STATE_DIR/env.sh

log() { printf '[stack %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A pid counts as ours only while alive AND its command line carries our marker (guards against pid reuse
# and against killing a process some other stack started).
pid_is_ours() { # pid marker
  local pid=$1 marker=$2
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker"
}
read_pid() { [[ -f $PIDS_DIR/$1.pid ]] && cat "$PIDS_DIR/$1.pid" || true; }

# Class path of a profile of infra/local/pom.xml, cached in the state dir and rebuilt when the pom changes
# or a jar has gone from the local repository. Offline first (the usual warm repository), online otherwise.
classpath() { # profile -> prints class path
  local profile=$1 pom=$RD_LOCAL_DIR/pom.xml out=$RD_STATE_DIR/cp/$1.classpath
  local key; key=$(sha256sum "$pom" | cut -c1-16)
  if [[ -s $out && -f $out.key && $(cat "$out.key") == "$key" ]] && cp_complete "$(cat "$out")"; then
    cat "$out"; return
  fi
  mkdir -p "$RD_STATE_DIR/cp"
  local mvn_log=$LOGS_DIR/mvn-$profile.log
  if ! mvn -B -q -o -f "$pom" -P "$profile" dependency:build-classpath -Dmdep.outputFile="$out.tmp" >"$mvn_log" 2>&1; then
    log "class path of '$profile' not in the local Maven repository; resolving online" >&2
    mvn -B -q -f "$pom" -P "$profile" dependency:build-classpath -Dmdep.outputFile="$out.tmp" >>"$mvn_log" 2>&1 \
      || die "could not build the '$profile' class path (see $mvn_log)"
  fi
  cp_complete "$(cat "$out.tmp")" || die "class path of '$profile' lists missing jars (see $mvn_log)"
  mv "$out.tmp" "$out"; echo "$key" >"$out.key"
  cat "$out"
}
cp_complete() {
  local IFS=: jar
  [[ -n $1 ]] || return 1
  for jar in $1; do [[ -f $jar ]] || return 1; done
}

# Run a command as the postgres user when we are root (initdb refuses root), as ourselves otherwise.
as_pg() {
  if [[ $(id -u) == 0 ]]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# apt-get install of the given packages (no recommends: they pull in printing, samba, avahi ...), with one
# apt-get update per process. Output goes to $RD_STATE_DIR/logs/apt.log.
RD_APT_UPDATED=${RD_APT_UPDATED:-}
apt_install() {
  [[ $(id -u) == 0 ]] || die "missing packages ($*); run as root or install them: apt-get install -y $*"
  command -v apt-get >/dev/null || die "missing packages ($*) and no apt-get on this machine"
  mkdir -p "$LOGS_DIR"
  local apt_log=$LOGS_DIR/apt.log
  if [[ -z $RD_APT_UPDATED ]]; then
    log "apt-get update"
    apt-get update -qq >>"$apt_log" 2>&1 || { tail -20 "$apt_log" >&2; die "apt-get update failed (see $apt_log)"; }
    RD_APT_UPDATED=1
  fi
  log "apt-get install -y --no-install-recommends $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >>"$apt_log" 2>&1 \
    || { tail -20 "$apt_log" >&2; die "apt-get install $* failed (see $apt_log)"; }
}

# PostgreSQL 15 server binaries. Debian's package would also create and start a "main" cluster on 5432;
# we run our own data dir and port, so cluster creation is switched off before installing
# (postgresql-common reads createcluster.d).
ensure_postgres() {
  [[ -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl && -x $PG_BIN/postgres ]] && return 0
  [[ -n ${RD_PG_BIN:-} ]] && die "RD_PG_BIN=$RD_PG_BIN has no initdb/pg_ctl/postgres"
  if [[ $(id -u) == 0 && ! -e /etc/postgresql-common/createcluster.d/rotationdrag.conf ]]; then
    mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/rotationdrag.conf
  fi
  apt_install postgresql
  [[ -x $PG_BIN/initdb ]] || die "installed 'postgresql' but $PG_BIN/initdb is missing (not PostgreSQL 15?); set RD_PG_BIN"
}
