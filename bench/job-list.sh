#!/usr/bin/env bash
# Benchmarks what the job list and the metrics cost as the jobs on disk grow: a server of its
# own is given 100 finished jobs, then 10,000 (or --jobs N), and GET /api/jobs?limit=20 and
# GET /metrics are timed at each size: the first call after the jobs appeared, then the median
# and 95th percentile of --calls more (50) on one connection. The figure to read is the ratio of
# the large size to the small one: 1 is a cost that does not grow with the jobs kept.
#
# It is a benchmark, not a test: it fails only when something cannot be measured.
#
#   bench/job-list.sh [--work DIR] [--jobs N] [--calls N]
#
# The finished jobs are copies of one real job the script runs first (the secret scan of
# ear/src/test/projects/greeting-service), with new ids and creation times, added to the
# workspace root while the server runs, as another node sharing the root would add them. The
# server is started with `./pipelinex up` (PIPELINEX_HOME=WORK/home, ports offset by 720, so
# HTTP on 8800, account 'bench', the local runner) and stopped at the end. WORK (default
# /tmp/pipelinex-bench-list) keeps that home; its workspaces are made afresh each run.
# Needs curl, zip and python3 beside what `./pipelinex up` needs.
set -euo pipefail

usage() { grep -m1 '^#   bench/job-list.sh' "$0" | sed 's/^# *//' >&2; exit 2; }
work=/tmp/pipelinex-bench-list jobs=10000 calls=50
while [ $# -gt 0 ]; do
  case "$1" in
    --work) work=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --calls) calls=$2; shift 2 ;;
    *) usage ;;
  esac
done
[ "$jobs" -gt 100 ] || { echo "--jobs must be more than 100" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
py() { python3 "$here/bench/joblist.py" "$@"; }
step() { printf '\n== %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }

mkdir -p "$work"
work=$(cd "$work" && pwd)
unset PIPELINEX_PORT PIPELINEX_MANAGEMENT_PORT PIPELINEX_HTTPS_PORT PIPELINEX_BIND \
      PIPELINEX_URL PIPELINEX_USER PIPELINEX_PASSWORD PIPELINEX_TOKEN
export PIPELINEX_HOME=$work/home PIPELINEX_PORT_OFFSET=720 PIPELINEX_RUNNER=local
export PIPELINEX_WORKSPACES=$work/workspaces
export PIPELINEX_ADMIN_USER=bench PIPELINEX_ADMIN_PASSWORD=bench-$(id -u)-pipelinex
export PX_URL=http://127.0.0.1:$((8080 + 720)) PX_USER=bench PX_PASSWORD=$PIPELINEX_ADMIN_PASSWORD
stop_server() { (cd "$here" && ./pipelinex down) || true; }
trap stop_server EXIT
rm -rf "$PIPELINEX_WORKSPACES"

echo "PipelineX job-list benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores," \
     "commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')"

step "starting the server (./pipelinex up)"
(cd "$here" && ./pipelinex up) | sed 's/^/  /'

step "one real job"
tiny=$work/tiny.zip
rm -f "$tiny"
(cd "$here/ear/src/test/projects/greeting-service" && zip -qr -X "$tiny" . -x 'target/*')
meta='{"stack": {"language": "java", "framework": "spring-boot", "build_tool": "maven"}, "pipeline": {"run_build": false, "run_unit_tests": false, "run_sast": false, "run_sca": false, "run_secret_scan": true}}'
id=$(curl -sf -u "$PX_USER:$PX_PASSWORD" -F "metadata=$meta;type=application/json" -F "project_zip=@$tiny;type=application/zip" \
  "$PX_URL/api/jobs/upload" | python3 -c 'import json, sys; print(json.load(sys.stdin)["job_id"])')
for _ in $(seq 600); do
  state=$(curl -sf -u "$PX_USER:$PX_PASSWORD" "$PX_URL/api/jobs/$id" | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"]["state"])')
  case "$state" in SUCCEEDED|FAILED|CANCELLED) break ;; esac
  sleep 0.5
done
echo "  job $id: $state"

declare -A first median p95
measure() { # SIZE
  for what in list metrics; do
    case "$what" in list) path='/api/jobs?limit=20' ;; metrics) path=/metrics ;; esac
    read -r f m p < <(py time "$path" "$((calls + 1))")
    first[$what/$1]=$f median[$what/$1]=$m p95[$what/$1]=$p
  done
}

step "100 jobs on disk"
py clone "$PIPELINEX_WORKSPACES" "$id" 99
measure 100
step "$jobs jobs on disk"
py clone "$PIPELINEX_WORKSPACES" "$id" "$((jobs - 100))"
measure "$jobs"

echo
printf '%-22s %12s %12s %12s %12s %14s\n' "call" "jobs" "first (ms)" "median (ms)" "p95 (ms)" "median ratio"
for what in list metrics; do
  case "$what" in list) name='GET /api/jobs?limit=20' ;; metrics) name='GET /metrics' ;; esac
  for size in 100 "$jobs"; do
    ratio=$(python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "${median[$what/$size]}" "${median[$what/100]}")
    printf '%-22s %12s %12s %12s %12s %14s\n' "$name" "$size" "${first[$what/$size]}" "${median[$what/$size]}" "${p95[$what/$size]}" "$ratio"
  done
done
