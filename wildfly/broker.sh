#!/usr/bin/env bash
# A standalone ActiveMQ Artemis broker for several PipelineX nodes (the scale-out topology),
# from the Artemis distribution on Maven Central, with the PipelineJobs queue and its
# dead-letter queue:
#   wildfly/broker.sh create DIR [PORT]    make a broker instance in DIR (default port 61616)
#   DIR/bin/artemis run                    run it in the foreground
# Then configure each node with: wildfly/configure.sh JBOSS_HOME pipelinex.broker.host=HOST ...
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
artemis_version=2.44.0
cmd=${1:-}; dir=${2:-}; port=${3:-61616}
[ "$cmd" = create ] && [ -n "$dir" ] || { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ -e "$dir" ] && { echo "broker.sh: $dir exists" >&2; exit 1; }

dist=$(mktemp -d)
trap 'rm -rf "$dist"' EXIT
mvn -B -q -ntp dependency:copy -Dartifact="org.apache.activemq:apache-artemis:$artemis_version:zip:bin" \
  -DoutputDirectory="$dist" >/dev/null
unzip -q "$dist"/apache-artemis-*.zip -d "$dist"
mkdir -p "$(dirname "$dir")"
mv "$dist/apache-artemis-$artemis_version" "$dir.dist"
"$dir.dist/bin/artemis" create "$dir" --silent --no-web --allow-anonymous \
  --user "${PIPELINEX_BROKER_USER:-pipelinex}" --password "${PIPELINEX_BROKER_PASSWORD:-pipelinex}" \
  --default-port "$port" --host 0.0.0.0 >/dev/null
# The queues, and PIPELINEX_MAX_DELIVERY_ATTEMPTS (3) delivery attempts before a job's message goes to the dead-letter queue.
python3 - "$dir/etc/broker.xml" "${PIPELINEX_MAX_DELIVERY_ATTEMPTS:-3}" <<'PY'
import sys
p = sys.argv[1]; attempts = int(sys.argv[2]); s = open(p).read()
s = s.replace('<address-setting match="#">', '''<address-setting match="PipelineJobs">
            <dead-letter-address>PipelineJobsDLQ</dead-letter-address>
            <max-delivery-attempts>%d</max-delivery-attempts>
            <redelivery-delay>5000</redelivery-delay>
         </address-setting>
         <address-setting match="#">''' % attempts, 1)
s = s.replace('<persistence-enabled>true</persistence-enabled>', '''<persistence-enabled>true</persistence-enabled>
      <persist-delivery-count-before-delivery>true</persist-delivery-count-before-delivery>''', 1)
s = s.replace('</addresses>', '''   <address name="PipelineJobs"><anycast><queue name="PipelineJobs"/></anycast></address>
         <address name="PipelineJobsDLQ"><anycast><queue name="PipelineJobsDLQ"/></anycast></address>
      </addresses>''', 1)
open(p, 'w').write(s)
PY
echo "broker instance in $dir (port $port); run it with: $dir/bin/artemis run"
