#!/usr/bin/env bash
# The server image's entry point: with PIPELINEX_BROKER_HOST set (and optionally
# PIPELINEX_BROKER_PORT, _USER, _PASSWORD), the node uses that remote Artemis broker instead of
# its embedded one; extra arguments (e.g. -Dpipelinex.concurrency=4) go to standalone.sh.
set -euo pipefail
if [ -n "${PIPELINEX_BROKER_HOST:-}" ]; then
  bash /opt/pipelinex/configure.sh /opt/wildfly \
    "pipelinex.broker.host=$PIPELINEX_BROKER_HOST" \
    "pipelinex.broker.port=${PIPELINEX_BROKER_PORT:-61616}" \
    "pipelinex.broker.user=${PIPELINEX_BROKER_USER:-pipelinex}" \
    "pipelinex.broker.password=${PIPELINEX_BROKER_PASSWORD:-pipelinex}"
fi
exec /opt/wildfly/bin/standalone.sh -c standalone-full.xml -b 0.0.0.0 -bmanagement 127.0.0.1 "$@"
