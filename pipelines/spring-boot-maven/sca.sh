#!/usr/bin/env bash
# Dependency scanning (SCA) stage: its scanner is not part of this version yet, so the stage says so.
STAGE=sca
. "$(dirname "$0")/lib/stage.sh"

write_result SKIPPED "Dependency scanning (SCA) is not available in this version of PipelineX"
