#!/usr/bin/env bash
# Applies PipelineX's configuration to a stock WildFly, offline (embedded server):
#   wildfly/configure.sh JBOSS_HOME [name=value ...]
# configure.cli sets the server settings, embedded-broker.cli the queues on the embedded Artemis
# (or remote-broker.cli, when pipelinex.broker.host=HOST is given, a remote broker); each
# name=value becomes a system property of the server (pipelinex.workspaces, ...).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jboss_home=${1:?usage: configure.sh JBOSS_HOME [name=value ...]}
shift

script=$(mktemp)
trap 'rm -f "$script"' EXIT
{
  echo "embed-server --server-config=standalone-full.xml --std-out=discard"
  cat "$here/configure.cli"
  # The embedded broker, unless a remote one is named (pipelinex.broker.host=…).
  if printf '%s\n' "$@" | grep -q '^pipelinex\.broker\.host='; then
    cat "$here/remote-broker.cli"
  else
    cat "$here/embedded-broker.cli"
  fi
  for pair in "$@"; do
    name=${pair%%=*}
    value=${pair#*=}
    case "$name" in
      ''|*[!A-Za-z0-9._-]*) echo "configure.sh: bad property name '$name'" >&2; exit 2 ;;
    esac
    value=${value//\\/\\\\}
    value=${value//\"/\\\"}
    echo "if (outcome == success) of /system-property=$name:read-resource"
    echo "    /system-property=$name:write-attribute(name=value, value=\"$value\")"
    echo "else"
    echo "    /system-property=$name:add(value=\"$value\")"
    echo "end-if"
  done
  echo "stop-embedded-server"
} > "$script"

JAVA_OPTS="${JAVA_OPTS:-} -Djava.awt.headless=true" "$jboss_home/bin/jboss-cli.sh" --file="$script" > "$script.out" 2>&1 || {
  cat "$script.out" >&2; rm -f "$script.out"; exit 1; }
rm -f "$script.out"
