#!/usr/bin/env bash
# Builds the server image pipelinex/server:<version> (and :latest), and the broker image
# pipelinex/broker for the remote-broker topology, on the engine of
# pipelines/runner/engine.sh (or DOCKER_HOST), from the EAR and the WildFly distribution from
# Maven Central. The runner image must exist first (pipelines/runner/build-image.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version_of() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$root/pom.xml" | head -1; }
wildfly_version=$(version_of wildfly.version)
version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml" | head -1)
sock=${PIPELINEX_DOCKER_SOCK:-/var/run/pipelinex-docker.sock}
host=${DOCKER_HOST:-unix://$sock}

ear=$root/ear/target/pipelinex.ear
[ -f "$ear" ] || (cd "$root" && mvn -B -q -ntp -DskipTests -DskipITs package)

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
mvn -B -q -ntp dependency:copy -Dartifact="org.wildfly:wildfly-dist:$wildfly_version:zip" -DoutputDirectory="$ctx" >/dev/null
unzip -q "$ctx/wildfly-dist-$wildfly_version.zip" -d "$ctx" && rm "$ctx/wildfly-dist-$wildfly_version.zip"
mv "$ctx/wildfly-$wildfly_version" "$ctx/wildfly"
cp "$ear" "$ctx/pipelinex.ear"
cp "$root"/wildfly/*.cli "$root/wildfly/configure.sh" "$root/wildfly/start.sh" "$root/wildfly/add-account.sh" "$ctx/"
cp "$root/wildfly/Containerfile" "$ctx/Containerfile"

DOCKER_BUILDKIT=0 docker -H "$host" build --network none -f "$ctx/Containerfile" \
  -t "pipelinex/server:$version" -t pipelinex/server:latest "$ctx"
echo "built pipelinex/server:$version"

# The broker: an Artemis instance made here, its paths rewritten to where the image keeps it.
bctx=$ctx/broker-context
bash "$root/wildfly/broker.sh" create "$bctx/broker" 61616 >/dev/null
grep -rlF "$bctx/broker" "$bctx/broker" | xargs sed -i -e "s#$bctx/broker.dist#/opt/artemis#g" \
  -e "s#$bctx/broker#/var/lib/artemis-instance#g"
cp "$root/wildfly/broker.Containerfile" "$bctx/Containerfile"
DOCKER_BUILDKIT=0 docker -H "$host" build --network none -f "$bctx/Containerfile" \
  -t "pipelinex/broker:$version" -t pipelinex/broker:latest "$bctx"
echo "built pipelinex/broker:$version"
