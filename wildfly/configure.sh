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

# The key that signs API tokens: made once per server, kept beside its configuration.
config_dir=$jboss_home/standalone/configuration
keystore=$config_dir/pipelinex-tokens.p12
if [ ! -f "$keystore" ]; then
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$keystore.password"
  chmod 600 "$keystore.password"
  keytool -genkeypair -alias pipelinex-tokens -keyalg RSA -keysize 2048 -validity 3650 \
    -dname CN=pipelinex-tokens -storetype PKCS12 -keystore "$keystore" \
    -storepass "$(cat "$keystore.password")" >/dev/null 2>&1 || { echo "configure.sh: keytool failed" >&2; exit 1; }
  chmod 600 "$keystore"
fi
keystore_password=$(cat "$keystore.password")

script=$(mktemp)
trap 'rm -f "$script"' EXIT
{
  echo "embed-server --server-config=standalone-full.xml --std-out=discard"
  echo "if (outcome != success) of /subsystem=elytron/key-store=pipelinex-tokens:read-resource"
  echo "    /subsystem=elytron/key-store=pipelinex-tokens:add(path=pipelinex-tokens.p12, relative-to=jboss.server.config.dir, type=PKCS12, credential-reference={clear-text=\"$keystore_password\"})"
  echo "else"
  # A new key (the old one was removed to withdraw every token) has a new password.
  echo "    /subsystem=elytron/key-store=pipelinex-tokens:write-attribute(name=credential-reference, value={clear-text=\"$keystore_password\"})"
  echo "end-if"
  cat "$here/configure.cli"
  # The embedded broker, unless a remote one is named (pipelinex.broker.host=…).
  if printf '%s\n' "$@" | grep -q '^pipelinex\.broker\.host='; then
    cat "$here/remote-broker.cli"
  else
    cat "$here/embedded-broker.cli"
  fi
  for pair in "pipelinex.tokens.keystore=$keystore" "pipelinex.tokens.keystore-password=$keystore_password" "$@"; do
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
