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

# The server splits this one process's output at the extension's line: what comes before it is
# this stage's log, what follows the test stage's. The extension waits at that line until the
# server has taken SAST's copy of the compiled classes, so no test runs before it. Here the line
# only tells which stage's result to write at the end.
marker='[PIPELINEX] compiled; the tests follow'
compiled=$(mktemp)
rm -f "$compiled"
# mawk (Debian's awk) reads a pipe in blocks unless told to read it line by line.
line_awk=(awk)
awk -W version 2>/dev/null | grep -q mawk && line_awk=(awk -W interactive)
mvn_cmd "-Dmaven.ext.class.path=$hook" "${WRITE_CLASSPATH[@]}" package 2>&1 \
  | "${line_awk[@]}" -v marker="$marker" -v compiled="$compiled" '
      !after && $0 == marker { after = 1; system("date +%s%3N > \"" compiled "\"") }
      { print; fflush() }'
rc=${PIPESTATUS[0]}
# Without the line: a build that failed, or (the extension did not load) one that passed and
# whose result says nothing of tests, so the test stage runs on its own.
[ -s "$compiled" ] || { rm -f "$compiled"; build_result "$rc"; }
tests_started_ms=$(cat "$compiled")
rm -f "$compiled"

# The test stage's part: its result, in its own output folder (this output is its log now).
STAGE=test
STAGE_DIR=$REPORTS_DIR/test
STAGE_STARTED_MS=$tests_started_ms
test_result "$rc"
