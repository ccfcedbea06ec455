#!/usr/bin/env bash
# Test stage: runs the unit tests and counts the Surefire reports' test cases.
STAGE=test
. "$(dirname "$0")/lib/stage.sh"

mvn_cmd test
rc=$?
if ! counts=$(scanners surefire-count "$APP_DIR"); then
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
