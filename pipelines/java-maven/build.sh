#!/usr/bin/env bash
# Build stage: compiles main and test sources and packages the project, without running tests.
# Each module also writes its dependency classpath to target/pipelinex/classpath.txt, which the
# SAST stage gives SpotBugs, so that it analyses these classes without compiling them again.
#
# When the job's test stage is on, the runner says so (PIPELINEX_TESTS_FOLLOW=true) and a
# project of one module is built and tested in one Maven run: the project's lifecycle (its
# validate-phase checks, the compiler's up-to-date checks, Maven's start) runs once instead of
# once per stage. A Maven extension of the scanners prints a line once everything is compiled;
# the build's result is written then, so the SAST stage starts while the tests run, and the
# rest of the output and the test stage's result go to the test stage. A reactor of modules is
# built first and tested in the test stage's own run: its last module is compiled only after
# the tests of the others, which would hold SAST back until nearly the end.
STAGE=build
. "$(dirname "$0")/lib/stage.sh"

# Maven's own JVM (javac and the plugins run in it) on the first tier for a small project; the
# tests' JVMs keep the project's settings.
small_project && quick_maven

# build_result RC: the build's result from Maven's exit code RC; exits.
build_result() {
  if [ "$1" -eq 0 ]; then
    write_result PASSED "the project compiled and packaged"
    exit 0
  fi
  write_result FAILED "the Maven build failed (exit code $1); see build.log"
  exit 1
}

hook=${PIPELINEX_SCANNERS:-/opt/pipelinex/scanners}/maven/pipelinex-maven-hook.jar
if [ "${PIPELINEX_TESTS_FOLLOW:-false}" != true ] || [ ! -f "$hook" ] || grep -q '<modules>' "$APP_DIR/pom.xml"; then
  mvn_cmd -DskipTests package "${WRITE_CLASSPATH[@]}"
  build_result $?
fi

# Maven's output goes to this stage's log until the extension's line, then to the test stage's
# log (the server makes it, empty, before the stage starts, and writes the test stage's first
# line when it starts that stage: the output waits for that line, at most 10 s).
marker='[PIPELINEX] compiled; the tests follow'
test_log=$REPORTS_DIR/test/test.log
compiled=$STAGE_DIR/.compiled
maven_exit=$STAGE_DIR/.maven-exit
rm -f "$compiled" "$maven_exit"
# mawk (Debian's awk) reads a pipe in blocks unless told to read it line by line.
line_awk=(awk)
awk -W version 2>/dev/null | grep -q mawk && line_awk=(awk -W interactive)
{
  mvn_cmd "-Dmaven.ext.class.path=$hook" "${WRITE_CLASSPATH[@]}" package 2>&1
  echo $? > "$maven_exit"
} | "${line_awk[@]}" -v marker="$marker" -v compiled="$compiled" -v testlog="$test_log" '
  !after && $0 == marker {
    after = 1
    printf "" > compiled; close(compiled)
    system("i=0; while [ ! -s \"" testlog "\" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done")
    next
  }
  after { print >> testlog; fflush(testlog); next }
  { print; fflush() }' &
output=$!
while [ ! -f "$compiled" ] && kill -0 "$output" 2>/dev/null; do sleep 0.05; done
tests_started_ms=$(date +%s%3N)
if [ -f "$compiled" ]; then
  write_result PASSED "the project compiled (main and test sources); its tests run next in the same Maven run" \
    '{"tests_follow": true}'
fi
wait "$output"
rc=$(cat "$maven_exit" 2>/dev/null || echo 1)
rm -f "$maven_exit"
# Without the line: a build that failed, or (the extension did not load) one that passed and
# whose result says nothing of tests, so the test stage runs on its own.
[ -f "$compiled" ] || build_result "$rc"
rm -f "$compiled"

# The test stage's part: its result, and what this script prints, in its own log.
exec >> "$test_log" 2>&1
STAGE=test
STAGE_DIR=$REPORTS_DIR/test
STAGE_STARTED_MS=$tests_started_ms
test_result "$rc"
