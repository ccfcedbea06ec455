#!/usr/bin/env bash
# Test stage: runs the unit tests and counts the Surefire reports' test cases. (When the build
# stage runs the tests in its own Maven run, this script is not run: see build.sh.)
STAGE=test
. "$(dirname "$0")/lib/stage.sh"

small_project && quick_maven

mvn_cmd test
test_result $?
