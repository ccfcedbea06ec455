#!/usr/bin/env bash
# SAST (SpotBugs with FindSecBugs) stage: its scanner is not part of this version yet, so the stage says so.
STAGE=sast
. "$(dirname "$0")/lib/stage.sh"

write_result SKIPPED "SAST (SpotBugs with FindSecBugs) is not available in this version of PipelineX"
