#!/usr/bin/env bash
# Secret scanning stage: its scanner is not part of this version yet, so the stage says so.
STAGE=secrets
. "$(dirname "$0")/lib/stage.sh"

write_result SKIPPED "Secret scanning is not available in this version of PipelineX"
