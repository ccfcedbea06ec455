#!/usr/bin/env bash
# Resolve stage: fetches the project's dependencies and plugins into the job's Maven
# repository before the build needs them, through the server's repository proxy like every
# Maven stage (a prefetch: a later stage that needs more fetches it too). Surefire resolves its
# test provider only when tests run, so the providers are fetched here explicitly.
STAGE=resolve
. "$(dirname "$0")/lib/stage.sh"

# What this stage downloads is what the job's repository gains after this moment.
since=$(mktemp)

# Resolving is short work for a JVM: QUICK_JVM (petclinic, warm cache: 3.3 s and 5.9 CPU-s
# against 2.2 s and 2.8); the flag changes nothing but speed.
quick_maven

# The repositories the later stages will read: the job's own, then the read-only tails.
repos=("${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}")
IFS=, read -r -a tails <<< "${MAVEN_REPO_TAIL:-}"
for t in "${tails[@]}"; do [ -n "$t" ] && repos+=("$t"); done
# present G:A:V: the artifact's jar is in one of them already, so there is nothing to fetch.
present() {
  local g a v r
  IFS=: read -r g a v <<< "$1"
  for r in "${repos[@]}"; do
    [ -f "$r/${g//.//}/$a/$v/$a-$v.jar" ] && return 0
  done
  return 1
}

# -C: a download whose checksum does not match fails the stage. resolve-plugins and list fetch
# the plugins, the dependencies of every scope, and write down which versions they are; the
# effective POM (maven-help-plugin) tells which dependencies the POM adds to its plugins. The
# pinned plugin versions are the ones the later stages use (build-classpath, tree).
HELP_PLUGIN=org.apache.maven.plugins:maven-help-plugin:3.5.1
resolved=$(mktemp)
effective=$(mktemp)
resolve_all() {
  : > "$resolved"
  mvn_cmd -C "$DEPENDENCY_PLUGIN:resolve-plugins" "$DEPENDENCY_PLUGIN:list" -DoutputFile="$resolved" -DappendOutput=true \
    "$HELP_PLUGIN:effective-pom" -Doutput="$effective"
}

# A reactor whose modules depend on each other cannot list its dependencies before its modules
# are built: Maven finds no artifact for a sibling. The tree goal only collects POMs, so it
# names every module; an empty placeholder jar for each one in the job's repository lets the
# list resolve the rest, with the versions the build will use. No project plugin runs.
placeholders=()
stand_in_for_modules() {
  local tree repo g a v
  tree=$(mktemp)
  mvn_cmd -C -q "$DEPENDENCY_PLUGIN:tree" -DoutputType=json -DoutputFile="$tree" -DappendOutput=true || return 1
  repo=${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}
  # reactor-modules prints "groupId artifactId version" of each jar module (the root of its tree).
  while read -r g a v; do
    local jar="$repo/${g//.//}/$a/$v/$a-$v.jar"
    if [ ! -e "$jar" ]; then
      mkdir -p "$(dirname "$jar")"
      printf 'PK\005\006\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' > "$jar"
      placeholders+=("$jar")
    fi
  done < <(scanners_quick reactor-modules "$tree")
  rm -f "$tree"
  [ "${#placeholders[@]}" -gt 0 ]
}

resolved_ok=true
if ! resolve_all; then
  resolved_ok=false
  if grep -q '<modules>' "$APP_DIR/pom.xml" 2>/dev/null && stand_in_for_modules; then
    echo "[resolve] the reactor's modules depend on each other: listing again with ${#placeholders[@]} stand-in jars"
    resolve_all && resolved_ok=true
    for jar in "${placeholders[@]}"; do rm -f "$jar" "$jar.lastUpdated"; done
  fi
fi
if [ "$resolved_ok" = false ]; then
  write_result FAILED "the dependencies could not be resolved; see resolve.log"
  exit 1
fi

# Surefire resolves its test provider only when tests run: fetch the providers for the
# versions this project uses now, so the test stage finds them.
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
# Surefire resolves its provider without the project's dependency management: so does this.
fetch_provider() {
  (cd /tmp && MAVEN_STANDALONE=true mvn_cmd -C -q "$DEPENDENCY_PLUGIN:get" -Dartifact="$1") && return 0
  write_result FAILED "the test provider $1 could not be resolved; see resolve.log"
  exit 1
}
providers_from=$(mktemp)
for artifact in "${extra[@]}"; do
  present "$artifact" || fetch_provider "$artifact"
done
# The provider brings the JUnit launcher it was built with; surefire may run it with that
# launcher's own engine and commons, so each launcher the providers brought gets its closure.
launchers="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}/org/junit/platform/junit-platform-launcher"
for v in $(find "$launchers" -mindepth 1 -maxdepth 1 -type d -newer "$providers_from" -printf '%f\n' 2>/dev/null); do
  [[ " ${extra[*]} " == *" org.junit.platform:junit-platform-launcher:$v "* ]] || fetch_provider "org.junit.platform:junit-platform-launcher:$v"
done
rm -f "$providers_from"

# Maven resolves the dependencies a POM adds to a plugin (<plugin><dependencies>) only when the
# plugin runs: fetch them now, through a small project that depends on
# each such plugin and its additions, for the plugins whose additions are not here yet.
plugin_projects=$(mktemp -d)
if ! n=$(scanners_quick plugin-dependencies "$effective" "$plugin_projects" "${repos[@]}"); then
  # A result written already says the scanners are missing.
  [ -f "$STAGE_DIR/result.json" ] || write_result FAILED "the effective POM could not be read to find the plugins' dependencies; see resolve.log"
  exit 1
fi
if [ "$n" -gt 0 ]; then
  echo "[resolve] the POM adds dependencies to $n plugin(s); fetching them"
  if ! (cd /tmp && MAVEN_STANDALONE=true mvn_cmd -C -q -f "$plugin_projects/pom.xml" "$DEPENDENCY_PLUGIN:resolve"); then
    write_result FAILED "the dependencies the POM adds to its plugins could not be resolved; see resolve.log"
    exit 1
  fi
fi

# The artifacts the later stages will read, as repository paths: what list and resolve-plugins
# named, the test providers and the plugins' additions. Those in no repository are the reactor's
# own modules. The server may let a later job with the same POMs skip this stage while its
# shared cache holds all of them; not when a SNAPSHOT comes from outside, which can change.
artifact_paths() {
  awk '$1 ~ /^[A-Za-z0-9_.-]+:[^:]+:[^:]+:/ {
    n = split($1, p, ":"); g = p[1]; a = p[2]; t = p[3]; c = ""
    if (n == 6) { c = p[4]; v = p[5] } else { v = p[4] }
    if (t == "test-jar") c = "tests"
    gsub(/\./, "/", g)
    base = g "/" a "/" v "/" a "-" v
    print base ".pom"
    if (t != "pom") print base (c == "" ? "" : "-" c) "." (t == "war" || t == "ear" || t == "zip" ? t : "jar")
  }' "$@" | sort -u
}
for artifact in "${extra[@]}"; do
  IFS=: read -r g a v <<< "$artifact"
  echo "   $g:$a:jar:$v:test"
done >> "$resolved"
rm -f "$STAGE_DIR/artifacts.txt"
needed=$(mktemp)
while read -r path; do
  for r in "${repos[@]}"; do
    if [ -f "$r/$path" ]; then echo "$path"; break; fi
  done
done < <(artifact_paths "$resolved" "$plugin_projects/added.txt") > "$needed"
if grep -q -- '-SNAPSHOT' "$needed"; then
  echo "[resolve] SNAPSHOT dependencies from outside the project: every job resolves them again"
else
  mv "$needed" "$STAGE_DIR/artifacts.txt"
fi
rm -rf "$resolved" "$effective" "$plugin_projects" "$needed"

# What this job had to download (the shared cache, when there is one, held the rest): the files
# written since the stage started (a repository shared with other work holds more).
downloaded=$(find "${repos[0]}" -type f \( -name '*.jar' -o -name '*.pom' \) -cnewer "$since" 2>/dev/null | wc -l)
rm -f "$since"
write_result PASSED "dependencies resolved; $downloaded files downloaded" \
  "{\"artifacts\": {\"downloaded\": $downloaded}}"
