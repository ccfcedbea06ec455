#!/usr/bin/env bash
# Dependency scanning (SCA) stage: Maven's dependency tree of every module, matched against OSV
# advisories by the PipelineX scanners; also writes a CycloneDX SBOM (bom.cdx.json).
STAGE=sca
. "$(dirname "$0")/lib/stage.sh"

# A relative outputFile resolves against each module's basedir: one tree per reactor module.
# The dependency tree is short work for Maven, and so is matching it against the curated
# advisories: QUICK_JVM. A full OSV import is more to read, so the scanner then runs as usual.
quick_maven
# The project as admitted is read-only here: the trees are written in a copy of its own (no
# build folders, no history: the POMs are what the tree needs).
copy=$(mktemp -d)
(cd "$APP_DIR" && tar -cf - --exclude=./.git --exclude=target .) | tar -xf - -C "$copy"
APP_DIR=$copy
tree=target/pipelinex/dependency-tree.json
if ! mvn_cmd "$DEPENDENCY_PLUGIN:tree" -DoutputType=json -DoutputFile="$tree"; then
  write_result FAILED "the Maven dependency tree could not be computed; see sca.log"
  exit 1
fi

args=(sca --source "$APP_DIR" --out "$STAGE_DIR" --started-ms "$STAGE_STARTED_MS")
# Advisories the operator imported, used beside the curated snapshot the scanners carry.
if [ -d "${PIPELINEX_ADVISORIES:-}" ]; then
  scanners "${args[@]}" --advisories "$PIPELINEX_ADVISORIES"
else
  scanners_quick "${args[@]}"
fi
rc=$?
# The scanner writes result.json itself, ERROR included; a usage error leaves none.
if [ "$rc" -ne 0 ] && [ ! -s "$STAGE_DIR/result.json" ]; then
  write_result ERROR "the SCA scanner failed (exit code $rc); see sca.log"
fi
exit "$rc"
