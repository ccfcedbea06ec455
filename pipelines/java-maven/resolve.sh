#!/usr/bin/env bash
# Resolve stage: downloads the project's dependencies and plugins into the job's Maven
# repository, the only stage that may use the network in a container. Surefire resolves its
# test provider only when tests run, so the providers are fetched here explicitly.
STAGE=resolve
. "$(dirname "$0")/lib/stage.sh"

if [ -n "${MAVEN_MIRROR_URL:-}" ]; then
  # Every repository goes through the configured mirror.
  MAVEN_SETTINGS=/tmp/pipelinex-settings.xml
  cat > "$MAVEN_SETTINGS" <<XML
<settings><mirrors><mirror><id>pipelinex-mirror</id><mirrorOf>*</mirrorOf><url>$MAVEN_MIRROR_URL</url></mirror></mirrors></settings>
XML
fi

# -C: a download whose checksum does not match fails the stage. resolve-plugins and go-offline fetch
# the plugins, the dependencies of every scope, and write down which versions they are.
resolved=$(mktemp)
# The pinned plugin version is the one the offline stages use (build-classpath, tree).
# go-offline, unlike list, leaves the reactor's own modules out, so a multi-module project
# whose modules depend on each other resolves before any of them is built.
if ! mvn_cmd -C "$DEPENDENCY_PLUGIN:resolve-plugins" "$DEPENDENCY_PLUGIN:go-offline" -DoutputFile="$resolved" -DappendOutput=true; then
  write_result FAILED "the dependencies could not be resolved; see resolve.log"
  exit 1
fi

# Surefire resolves its test provider only when tests run: fetch the providers for the
# versions this project uses now, so the offline test stage finds them.
# Lines read "group:artifact:type:version[:scope]"; the project's own dependencies have a scope.
versions_of() { grep -oE "$1:[^: ]+${2:-}" "$resolved" | cut -d: -f4 | sort -u; }
scoped=':(compile|provided|runtime|test|system)'
extra=()
for v in $(versions_of 'org\.apache\.maven\.plugins:maven-surefire-plugin:maven-plugin'); do
  extra+=("org.apache.maven.surefire:surefire-junit-platform:$v")
  if [ -n "$(versions_of 'junit:junit:jar' "$scoped")" ]; then
    extra+=("org.apache.maven.surefire:surefire-junit4:$v" "org.apache.maven.surefire:surefire-junit47:$v")
  fi
done
for v in $(versions_of 'org\.junit\.platform:junit-platform-engine:jar' "$scoped"); do
  extra+=("org.junit.platform:junit-platform-launcher:$v")
done
for artifact in "${extra[@]}"; do
  if ! mvn_cmd -C -q "$DEPENDENCY_PLUGIN:get" -Dartifact="$artifact"; then
    write_result FAILED "the test provider $artifact could not be resolved; see resolve.log"
    exit 1
  fi
done
rm -f "$resolved"

repos=("${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}")
# What this job had to download (the shared cache, when there is one, held the rest).
downloaded=$(find "${repos[0]}" -type f \( -name '*.jar' -o -name '*.pom' \) 2>/dev/null | wc -l)
write_result PASSED "dependencies resolved; $downloaded files downloaded" \
  "{\"artifacts\": {\"downloaded\": $downloaded}}"
