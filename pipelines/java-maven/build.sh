#!/usr/bin/env bash
# Build stage: compiles main and test sources and packages the project, without running tests.
# Each module also writes its dependency classpath to target/pipelinex/classpath.txt, which the
# SAST stage gives SpotBugs, so that it analyses these classes without compiling them again.
STAGE=build
. "$(dirname "$0")/lib/stage.sh"

mvn_cmd -DskipTests package "${WRITE_CLASSPATH[@]}"
rc=$?
if [ "$rc" -eq 0 ]; then
  write_result PASSED "the project compiled and packaged"
else
  write_result FAILED "the Maven build failed (exit code $rc); see build.log"
  exit 1
fi
