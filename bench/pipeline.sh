#!/usr/bin/env bash
# Benchmarks the service on this machine, in one run, and prints every figure with its target:
#
#   1. end-to-end time of a real Spring Boot project's job (all stages on), from the 201 to the
#      final state, against the same stage scripts run by hand one after another on the host
#      with the same warm Maven cache (and, for comparison, that sequence with the build and
#      tests in one Maven run, as a job runs them); both are warmed by one untimed run first, then each is
#      run --repeat times (3) and the median is reported. Jobs come in pairs: the project's first
#      job (the server's remembered resolutions are forgotten first, so its resolve stage runs)
#      and a second one with the same POMs (which may reuse that resolution);
#   2. the service's own overhead per job: the job's wall time (created_at to the final state)
#      minus the union of its stages' [started_at, finished_at];
#   3. dispatch latency: tiny jobs (secret scan only) submitted one at a time to an idle server,
#      from the 201 to the first stage's started_at;
#   4. throughput: tiny jobs submitted all at once, jobs/s to drain them, and the latency of
#      GET /api/jobs/{id} while they drain;
#   5. intake: a 40 MiB ZIP uploaded (POST to 201) against `unzip -q` of the same file, and the
#      secret scanner's MB/s over 100 MB of generated Java sources;
#   6. the server's resident memory (VmRSS of the WildFly JVM) at idle and at the peak of step 4.
#
# It is a benchmark, not a test: it fails only when something cannot be measured.
#
#   bench/pipeline.sh PROJECT_DIR [--runner auto|local|docker] [--work DIR] [--repeat N] [--tiny N] [--burst N]
#
# PROJECT_DIR is the Spring Boot project of step 1, spring-petclinic. It is not part of this
# repository and must never be added to it. Get it from its public repository
# (spring-projects/spring-petclinic: git clone, or a downloaded archive), or from a bare mirror:
#
#   mkdir -p /tmp/petclinic && git --git-dir=<mirror>/spring-petclinic.git archive HEAD | tar -x -C /tmp/petclinic
#   bench/pipeline.sh /tmp/petclinic
#
# The script starts a server of its own with `./pipelinex up` (PIPELINEX_HOME=WORK/home, ports
# offset by 700, account 'bench', the runner of --runner, default auto) and stops it at the end,
# so a server already running here is not disturbed. WORK (default /tmp/pipelinex-bench) keeps
# that home (the WildFly and Maven of the runner are unpacked once) and the generated data.
# The Maven cache of the by-hand runs is PIPELINEX_BENCH_M2 (default ~/.m2/repository), the one
# sandboxed jobs of the local runner read as well; the warm-up runs fill what is missing.
# The tiny project is ear/src/test/projects/greeting-service. Needs curl, zip, unzip, python3.
set -euo pipefail

usage() { grep -m1 '^#   bench/pipeline.sh PROJECT_DIR' "$0" | sed 's/^# *//' >&2; exit 2; }
[ $# -ge 1 ] || usage
project=$1; shift
runner=auto work=/tmp/pipelinex-bench tiny=30 burst=50 repeat=3
while [ $# -gt 0 ]; do
  case "$1" in
    --runner) runner=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --tiny) tiny=$2; shift 2 ;;
    --burst) burst=$2; shift 2 ;;
    *) usage ;;
  esac
done
[ -f "$project/pom.xml" ] || { echo "no pom.xml in $project" >&2; exit 2; }
project=$(cd "$project" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
py() { python3 "$here/bench/pxbench.py" "$@"; }
now() { date +%s%N; }
elapsed() { python3 -c "import sys; print(f'{(int(sys.argv[2]) - int(sys.argv[1])) / 1e9:.3f}')" "$1" "$2"; }
step() { printf '\n== %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }

mkdir -p "$work"
work=$(cd "$work" && pwd)
data=$work/data
figures=$work/figures.json
rm -f "$figures"
python3 "$here/bench/pxbench.py" put "$figures" project "$(basename "$project")"

# The server of this benchmark: its own home, ports 8780/10690/9143, its own account.
unset PIPELINEX_PORT PIPELINEX_MANAGEMENT_PORT PIPELINEX_HTTPS_PORT PIPELINEX_WORKSPACES PIPELINEX_BIND \
      PIPELINEX_URL PIPELINEX_USER PIPELINEX_PASSWORD PIPELINEX_TOKEN
export PIPELINEX_HOME=$work/home PIPELINEX_PORT_OFFSET=700 PIPELINEX_RUNNER=$runner
export PIPELINEX_ADMIN_USER=bench PIPELINEX_ADMIN_PASSWORD=bench-$(id -u)-pipelinex
export PX_URL=http://127.0.0.1:$((8080 + 700)) PX_USER=bench PX_PASSWORD=$PIPELINEX_ADMIN_PASSWORD
stop_server() { (cd "$here" && ./pipelinex down) || true; }
trap stop_server EXIT

echo "PipelineX benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB RAM," \
     "$(java -version 2>&1 | head -1)"
echo "project: $project ($(find "$project" -type f -not -path '*/.git/*' | wc -l) files); work: $work; runner: $runner"

step "starting the server (./pipelinex up)"
t0=$(now)
(cd "$here" && ./pipelinex up) | sed 's/^/  /'
t1=$(now)
pid=$(cat "$PIPELINEX_HOME/server.pid")
[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = java ] || { echo "pid $pid of $PIPELINEX_HOME/server.pid is not a JVM" >&2; exit 1; }
echo "  up in $(elapsed "$t0" "$t1") s; WildFly JVM pid $pid"
py rss "$figures" rss_start_mib "$pid"

# The tools the stages use: the runner's Maven that `up` unpacked, the scanners it built, JDK 17.
maven=$(ls -d "$PIPELINEX_HOME"/apache-maven-* | head -1)
scanners=$here/scanners/target/pipelinex-scanners
m2=${PIPELINEX_BENCH_M2:-$HOME/.m2/repository}
java_home=${JAVA_HOME:-}
for j in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/java-17-openjdk; do
  [ -z "$java_home" ] && [ -x "$j/bin/java" ] && java_home=$j
done

step "preparing the inputs"
mkdir -p "$data"
rm -f "$data/project.zip"
(cd "$project" && zip -qr -X "$data/project.zip" . -x '.git/*' -x 'target/*' -x '*/target/*')
(cd "$here/ear/src/test/projects/greeting-service" && rm -f "$data/tiny.zip" && zip -qr -X "$data/tiny.zip" . -x 'target/*')
stack='"stack": {"language": "java", "framework": "spring-boot", "build_tool": "maven"}'
echo "{$stack, \"pipeline\": {\"run_build\": true, \"run_unit_tests\": true, \"run_sast\": true, \"run_sca\": true, \"run_secret_scan\": true}}" > "$data/all.json"
echo "{$stack, \"pipeline\": {\"run_build\": false, \"run_unit_tests\": false, \"run_sast\": false, \"run_sca\": false, \"run_secret_scan\": true}}" > "$data/secrets.json"
# 100 MB of generated Java sources for the scanner, 90 MB more to pad the 40 MiB ZIP with
# (code-like text deflates about 4:1; an upload may unpack to at most 200 MiB).
[ -f "$data/scan-tree/.done" ] || { rm -rf "$data/scan-tree"; py gen-tree "$data/scan-tree" 100 7 && touch "$data/scan-tree/.done"; }
[ -f "$data/pad-tree/.done" ] || { rm -rf "$data/pad-tree"; py gen-tree "$data/pad-tree" 90 11 && touch "$data/pad-tree/.done"; }
big=$data/big-$(basename "$project").zip
[ -f "$big" ] || { mkdir -p "$data/pad" && ln -sfn "$data/scan-tree/src" "$data/pad/a" && ln -sfn "$data/pad-tree/src" "$data/pad/b" \
  && py make-zip "$big" 40 "$project" "$data/pad/"; }
echo "  project.zip $(du -k "$data/project.zip" | cut -f1) KiB, tiny.zip $(du -k "$data/tiny.zip" | cut -f1) KiB," \
     "$(basename "$big") $(du -m "$big" | cut -f1) MiB"

# ------------------------------------------------------------------ 1. by hand
# Exactly what a job runs: the stage scripts, one after another, with the environment the
# local runner gives a stage (LocalRunner: APP_DIR, PIPELINES_DIR, REPORTS_DIR, MAVEN_HOME,
# PIPELINEX_SCANNERS, MAVEN_REPO_LOCAL, JAVA_HOME), on a fresh copy of the project.
# by_hand RUN [one]: with "one", build.sh is offered the tests (PIPELINEX_TESTS_FOLLOW, as the
# worker does when the test stage is on): the build and the tests are one Maven run, and
# test.sh is not run. Its test.log is made beforehand, as the worker does.
by_hand() {
  local dir=$work/by-hand-$1${2:+-$2}
  rm -rf "$dir" && mkdir -p "$dir/source" "$dir/reports"
  (cd "$project" && tar --exclude=./.git --exclude=./target -cf - .) | tar -xf - -C "$dir/source"
  local start end s t stages=(resolve build test sast sca secrets) follow=false prefix=hand
  if [ "${2:-}" = one ]; then
    stages=(resolve build sast sca secrets) follow=true prefix=one
    mkdir -p "$dir/reports/test" && echo "[by hand] the tests run in build.sh's Maven run" > "$dir/reports/test/test.log"
  fi
  start=$(now)
  hand_stages=()
  for s in "${stages[@]}"; do
    t=$(now)
    env -u DOCKER_HOST APP_DIR="$dir/source" PIPELINES_DIR="$here/pipelines/java-maven" REPORTS_DIR="$dir/reports" \
        MAVEN_HOME="$maven" PIPELINEX_SCANNERS="$scanners" MAVEN_REPO_LOCAL="$m2" ${java_home:+JAVA_HOME="$java_home"} \
        PIPELINEX_TESTS_FOLLOW=$follow STAGE="$s" bash "$here/pipelines/java-maven/$s.sh" > "$dir/reports/$s.log" 2>&1 || true
    hand_stages+=("$s" "$(elapsed "$t" "$(now)")")
  done
  end=$(now)
  hand_s=$(elapsed "$start" "$end")
  local results
  results=$(py results "$dir/reports" resolve build test sast sca secrets)
  echo "  by hand ($1${2:+, $2 Maven run for build and test}): $hand_s s; $results"
  local passed=yes
  [ "$(grep -o PASSED <<< "$results" | wc -l)" -eq 6 ] || passed=no
  [ "$1" = warm-up ] || py hand "$figures" "$prefix" "$hand_s" "$passed" "${hand_stages[@]}"
}

step "1. $(basename "$project") by hand: pipelines/java-maven/{resolve,build,test,sast,sca,secrets}.sh in sequence"
by_hand warm-up
for ((i = 1; i <= repeat; i++)); do by_hand "timed-$i"; done
step "1. $(basename "$project") by hand, build.sh running the tests in its Maven run (test.sh not run)"
for ((i = 1; i <= repeat; i++)); do by_hand "timed-$i" one; done

step "1-2. $(basename "$project") as a job, all stages on"
echo "  warm-up job (untimed):"
py job "$work/warm-up.json" warm "$data/project.zip" "$data/all.json"
for ((i = 1; i <= repeat; i++)); do
  # The first job of the project must run its resolve stage: forget earlier resolutions.
  rm -rf "$PIPELINEX_HOME/maven-cache/proxy/resolved"
  echo "  first job of the project, $i/$repeat (its resolve stage runs; warm Maven cache):"
  py job "$figures" warm "$data/project.zip" "$data/all.json"
  echo "  second job, same POMs, $i/$repeat (the server may reuse the first resolution):"
  py job "$figures" pet "$data/project.zip" "$data/all.json"
done

sleep 2
py rss "$figures" rss_idle_mib "$pid"

step "3. dispatch: $tiny tiny jobs (greeting-service, secret scan only), one at a time"
py dispatch "$figures" "$data/tiny.zip" "$data/secrets.json" "$tiny"

step "4. throughput: $burst tiny jobs at once"
py throughput "$figures" "$data/tiny.zip" "$data/secrets.json" "$burst" "$pid"

step "5. secret scanner on the host over $(du -sm "$data/scan-tree" | cut -f1) MiB of generated sources"
rm -rf "$work/scan-out" && mkdir -p "$work/scan-out"
bytes=$(find "$data/scan-tree" -type f -name '*.java' -printf '%s\n' | awk '{s += $1} END {print s}')
t0=$(now)
"$scanners/bin/pipelinex-scanners" secrets --source "$data/scan-tree" --out "$work/scan-out" > "$work/scan-out/scan.log" 2>&1 \
  || { tail -5 "$work/scan-out/scan.log"; echo "the secret scanner failed" >&2; exit 1; }
t1=$(now)
scan_s=$(elapsed "$t0" "$t1")
echo "  $(tail -1 "$work/scan-out/scan.log")"
echo "  $((bytes / 1000000)) MB in $scan_s s"
py put "$figures" scan_mb "$(python3 -c "print($bytes / 1e6)")"
py put "$figures" scan_mb_per_s "$(python3 -c "print($bytes / 1e6 / $scan_s)")"

step "5. intake: $(du -m "$big" | cut -f1) MiB ZIP uploaded against unzip -q"
rm -rf "$work/unzipped"
t0=$(now)
unzip -q "$big" -d "$work/unzipped"
t1=$(now)
unzip_s=$(elapsed "$t0" "$t1")
rm -rf "$work/unzipped"
read -r code upload_s < <(curl -s -o "$work/big-201.json" -w '%{http_code} %{time_total}\n' -u "$PX_USER:$PX_PASSWORD" \
  -F "project_zip=@$big;type=application/zip" -F "metadata=@$data/secrets.json;type=application/json" \
  "$PX_URL/api/jobs/upload")
[ "$code" = 201 ] || { echo "upload answered $code: $(head -c 500 "$work/big-201.json")" >&2; exit 1; }
echo "  unzip -q: $unzip_s s; upload, POST to 201: $upload_s s"
py put "$figures" intake_unzip_s "$unzip_s"
py put "$figures" intake_upload_s "$upload_s"
py put "$figures" intake_zip_mib "$(python3 -c "import os; print(os.path.getsize('$big') / 2**20)")"
echo "  the job goes on (secret scan of the upload); waiting for it before stopping the server:"
py wait "$figures" "$(python3 -c "import json; print(json.load(open('$work/big-201.json'))['job_id'])")"

step "results ($(nproc) cores, runner $(python3 -c "import json; print(json.load(open('$figures')).get('pet_runner'))"))"
echo "  by hand = the six stage scripts run in sequence on the host; figures kept in $figures"
py report "$figures"
