# Sourced by every stage script after it sets STAGE. Gives the paths of the runner contract,
# result.json writing and the Maven command line.
set -uo pipefail

: "${APP_DIR:?APP_DIR must point at the project source}"
: "${PIPELINES_DIR:?PIPELINES_DIR must point at the installed pipeline}"
: "${REPORTS_DIR:?REPORTS_DIR must point at the job reports folder}"

# A background stage (PIPELINEX_NICENESS, set by the local runner for the scanners) runs niced;
# Linux weighs sessions (autogroups) against each other before niceness, and the stage is a
# session of its own, so its autogroup gets the niceness too. The kernel may refuse a change
# within 100 ms of another one: try a few times.
if [ -n "${PIPELINEX_NICENESS:-}" ] && [ -w /proc/self/autogroup ]; then
  for _ in 1 2 3 4 5; do
    { echo "$PIPELINEX_NICENESS" > /proc/self/autogroup; } 2>/dev/null && break
    sleep 0.1
  done
fi

STAGE_DIR="$REPORTS_DIR/$STAGE"
mkdir -p "$STAGE_DIR"
STAGE_STARTED_MS=$(date +%s%3N)

json_escape() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  s=${s//$'\t'/\\t}
  printf '%s' "$s"
}

# write_result STATUS MESSAGE [SUMMARY_JSON]: STATUS is PASSED, FAILED, ERROR or SKIPPED.
write_result() {
  local status=$1 message=$2 summary=${3:-}
  [ -n "$summary" ] || summary='{}'
  local took=$(( $(date +%s%3N) - STAGE_STARTED_MS ))
  local tmp="$STAGE_DIR/.result.json.tmp"
  printf '{"schema": 1, "stage": "%s", "status": "%s", "duration_ms": %d, "message": "%s", "summary": %s}\n' \
    "$STAGE" "$status" "$took" "$(json_escape "$message")" "$summary" > "$tmp"
  mv -f "$tmp" "$STAGE_DIR/result.json"
  echo "[$STAGE] $status: $message"
}

# The one version of the dependency plugin every stage uses (resolve fetches it).
DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
# Each module's dependency classpath, written where the SAST stage reads it.
WRITE_CLASSPATH=("$DEPENDENCY_PLUGIN:build-classpath" -Dmdep.outputFile=target/pipelinex/classpath.txt)

java_cmd() {
  "${JAVA_HOME:+$JAVA_HOME/bin/}java" "$@"
}

# The server's repository proxy is the only way out of a sandboxed stage: a Unix socket bound in
# at PIPELINEX_REPOSITORY_SOCKET (the stage has no network but loopback). socat turns loopback
# TCP into that socket, and Maven's settings name it as the mirror of every repository.
if [ -n "${PIPELINEX_REPOSITORY_SOCKET:-}" ]; then
  REPOSITORY_PORT=${PIPELINEX_REPOSITORY_PORT:-8081}
  if ! command -v socat >/dev/null 2>&1; then
    write_result ERROR "socat is not installed, so Maven cannot reach the repository proxy (apt-get install socat)"
    exit 1
  fi
  socat "TCP-LISTEN:$REPOSITORY_PORT,bind=127.0.0.1,reuseaddr,fork" "UNIX-CONNECT:$PIPELINEX_REPOSITORY_SOCKET" \
    </dev/null >/dev/null 2>/tmp/pipelinex-forwarder.log &
  for _ in $(seq 1 250); do
    (: </dev/tcp/127.0.0.1/"$REPOSITORY_PORT") 2>/dev/null && break
    sleep 0.02
  done
  MAVEN_SETTINGS=/tmp/pipelinex-settings.xml
  cat > "$MAVEN_SETTINGS" <<XML
<settings><mirrors><mirror><id>pipelinex</id><name>PipelineX repository proxy</name><mirrorOf>*</mirrorOf><url>http://127.0.0.1:$REPOSITORY_PORT/</url></mirror></mirrors></settings>
XML
fi

# mvn_cmd ARGS...: the project's build, batch mode, with the runner's Maven and local repository.
mvn_cmd() {
  local mvn=mvn
  [ -n "${MAVEN_HOME:-}" ] && mvn="$MAVEN_HOME/bin/mvn"
  local args=(-B -ntp)
  # MAVEN_STANDALONE=true: outside the project, so its dependency management does not apply.
  [ "${MAVEN_STANDALONE:-false}" = true ] || args+=(-f "$APP_DIR/pom.xml")
  [ -n "${MAVEN_REPO_LOCAL:-}" ] && args+=("-Dmaven.repo.local=$MAVEN_REPO_LOCAL")
  # A read-only repository shared by jobs, searched after the job's own (Maven 3.9).
  [ -n "${MAVEN_REPO_TAIL:-}" ] && args+=("-Dmaven.repo.local.tail=$MAVEN_REPO_TAIL")
  [ -n "${MAVEN_SETTINGS:-}" ] && args+=(-s "$MAVEN_SETTINGS")
  echo "+ mvn ${args[*]} $*"
  "$mvn" "${args[@]}" "$@"
}

# test_result RC: the test stage's result from Maven's exit code RC and the Surefire reports'
# counts; exits 1 unless the tests passed.
test_result() {
  local rc=$1 counts passed failed skipped summary total
  if ! counts=$(scanners_quick surefire-count "$APP_DIR"); then
    # A result written already says the scanners are missing.
    [ -f "$STAGE_DIR/result.json" ] || write_result ERROR "cannot read the Surefire reports; see test.log"
    exit 1
  fi
  read -r passed failed skipped <<< "$(printf '%s' "$counts" | tr -dc '0-9 ')"
  summary="{\"tests\": {\"passed\": $passed, \"failed\": $failed, \"skipped\": $skipped}}"
  total=$((passed + failed + skipped))
  if [ "$rc" -eq 0 ]; then
    write_result PASSED "$passed passed, $failed failed, $skipped skipped" "$summary"
  elif [ "$failed" -gt 0 ]; then
    write_result FAILED "$failed of $total tests failed" "$summary"
    exit 1
  else
    write_result FAILED "the Maven test run failed (exit code $rc) with no failed test; see test.log" "$summary"
    exit 1
  fi
}

# The JIT's first tier alone: a JVM whose work is done in seconds finishes sooner with it and
# takes about half the CPU (which the stages beside it then have); a long one is slower.
QUICK_JVM=-XX:TieredStopAtLevel=1

# quick_maven: Maven's own JVM on QUICK_JVM from here on. The JVMs Maven forks (Surefire's for
# the tests, a forked javac) keep what the project sets; so does .mvn/jvm.config.
quick_maven() {
  export MAVEN_OPTS="$QUICK_JVM${MAVEN_OPTS:+ $MAVEN_OPTS}"
}

# small_project: at most 500 source files (Java, Kotlin, Groovy, Scala) outside build folders.
# Maven compiles such a project in seconds, quicker on the first tier (petclinic's build and
# tests in one run: 43-50 CPU-s, 38 with quick_maven); 2,766 files compile a second slower so.
small_project() {
  local n
  n=$(find "$APP_DIR" \( -name target -o -name .git \) -prune -o -type f \( -name '*.java' -o -name '*.kt' \
    -o -name '*.groovy' -o -name '*.scala' \) -print 2>/dev/null | head -n 501 | wc -l)
  [ "$n" -le 500 ]
}

# scanners ARGS...: the PipelineX scanners CLI (PIPELINEX_SCANNERS is its home: bin/, lib/,
# spotbugs/); it writes the stage's SARIF and result.json itself.
scanners() {
  local home=${PIPELINEX_SCANNERS:-/opt/pipelinex/scanners}
  if [ ! -x "$home/bin/pipelinex-scanners" ]; then
    write_result ERROR "the PipelineX scanners are not installed at $home (pipelinex.scanners.home)"
    exit 1
  fi
  "$home/bin/pipelinex-scanners" "$@"
}

# scanners_quick ARGS...: the scanners for work of seconds (the helpers, small inputs): QUICK_JVM.
scanners_quick() {
  PIPELINEX_SCANNERS_EXTRA_OPTS=$QUICK_JVM scanners "$@"
}
