#!/usr/bin/env bash
# Secret scanning stage: the PipelineX secret scanner over the project's files, or with
# PIPELINEX_SECRET_SCAN_MODE=git also over the lines its commits added. Rule files (*.toml) in
# the folder PIPELINEX_SECRET_RULES are merged over the built-in rules. No build, no network.
STAGE=secrets
. "$(dirname "$0")/lib/stage.sh"

args=(--source "$APP_DIR" --out "$STAGE_DIR" --started-ms "$STAGE_STARTED_MS"
      --mode "${PIPELINEX_SECRET_SCAN_MODE:-files}")
if [ -n "${PIPELINEX_SECRET_RULES:-}" ]; then
  for rules in "$PIPELINEX_SECRET_RULES"/*.toml; do
    [ -f "$rules" ] && args+=(--rules "$rules")
  done
fi
if ! scanners secrets "${args[@]}"; then
  [ -f "$STAGE_DIR/result.json" ] || write_result ERROR "the secret scanner failed; see secrets.log"
  exit 1
fi
