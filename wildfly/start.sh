#!/usr/bin/env bash
# The server image's entry point: with PIPELINEX_BROKER_HOST set (and optionally
# PIPELINEX_BROKER_PORT, _USER, _PASSWORD), the node uses that remote Artemis broker instead of
# its embedded one; extra arguments (e.g. -Dpipelinex.concurrency=4) go to standalone.sh.
# PIPELINEX_ADMIN_USER / PIPELINEX_ADMIN_PASSWORD make the admin account (API and console); without
# them an account 'admin' is made at the first start and its password is printed to the log.
set -euo pipefail
config=/opt/wildfly/standalone/configuration
# This container's own key for API tokens, made at its first start (configure.sh makes it).
if [ ! -f "$config/pipelinex-tokens.p12" ]; then
  bash /opt/pipelinex/configure.sh /opt/wildfly
fi
if [ -n "${PIPELINEX_ADMIN_PASSWORD:-}" ]; then
  admin_user=${PIPELINEX_ADMIN_USER:-admin}
  admin_password=$PIPELINEX_ADMIN_PASSWORD
elif [ ! -s "$config/admin-password" ]; then
  admin_user=admin
  admin_password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 20)
  ( umask 077; printf '%s\n' "$admin_password" > "$config/admin-password" )
  echo "pipelinex: made the admin account 'admin' with password $admin_password (kept in $config/admin-password)"
fi
if [ -n "${admin_password:-}" ]; then
  bash /opt/pipelinex/add-account.sh /opt/wildfly "$admin_user:$admin_password:admin"
  /opt/wildfly/bin/add-user.sh -s -u "$admin_user" -p "$admin_password" >/dev/null
fi
if [ -n "${PIPELINEX_BROKER_HOST:-}" ]; then
  bash /opt/pipelinex/configure.sh /opt/wildfly \
    "pipelinex.broker.host=$PIPELINEX_BROKER_HOST" \
    "pipelinex.broker.port=${PIPELINEX_BROKER_PORT:-61616}" \
    "pipelinex.broker.user=${PIPELINEX_BROKER_USER:-pipelinex}" \
    "pipelinex.broker.password=${PIPELINEX_BROKER_PASSWORD:-pipelinex}"
fi
exec /opt/wildfly/bin/standalone.sh -c standalone-full.xml -b 0.0.0.0 -bmanagement 127.0.0.1 "$@"
