#!/usr/bin/env bash
# SAST stage: SpotBugs with FindSecBugs, security detectors only, over every module's compiled
# classes with the module's dependency classpath as the auxiliary classpath. The findings go to
# sast.sarif with repository paths, CWE ids and severities. A precision step then re-examines each
# injection finding in the bytecode and marks those it proves safe as suppressed;
# PIPELINEX_SAST_PRUNING=false (pipeline.sast_pruning in the job metadata) turns it off.
STAGE=sast
. "$(dirname "$0")/lib/stage.sh"

home=${PIPELINEX_SCANNERS:-/opt/pipelinex/scanners}
list_outputs() { find "$APP_DIR" -path "$APP_DIR/.git" -prune -o -path "*/target/$1" -print 2>/dev/null | sort; }

# The build stage leaves classes and classpaths (the server's copy, read-only here); when it was
# switched off, compile a copy of the project of this stage's own.
if [ -z "$(list_outputs pipelinex/classpath.txt)" ]; then
  copy=$(mktemp -d)
  (cd "$APP_DIR" && tar -cf - --exclude=./.git .) | tar -xf - -C "$copy"
  APP_DIR=$copy
  if ! mvn_cmd -q -DskipTests compile "${WRITE_CLASSPATH[@]}"; then
    write_result FAILED "the project did not compile, so there are no classes to analyse; see sast.log"
    exit 1
  fi
fi
mapfile -t classes < <(list_outputs classes)
if [ "${#classes[@]}" -eq 0 ]; then
  write_result FAILED "no compiled classes (target/classes) were found to analyse"
  exit 1
fi
aux=/tmp/pipelinex-sast-aux.txt
list_outputs pipelinex/classpath.txt | xargs -r cat | tr ':' '\n' | grep -v '^$' | sort -u > "$aux"
sources=$(find "$APP_DIR" -path "$APP_DIR/.git" -prune -o -type d -path '*/src/main/java' -print | paste -sd:)

# A few hundred classes are analysed in seconds: QUICK_JVM (petclinic, 30 classes: 3.9 s and
# 7.3 CPU-s against 2.6 s and 3.5). The OWASP Benchmark's 4,541 take 52 s as usual and 72 s so.
count=$(find "${classes[@]}" -name '*.class' | wc -l)
jit=()
[ "$count" -le 500 ] && jit=("$QUICK_JVM")
echo "+ spotbugs over ${#classes[@]} class folder(s) ($count classes), $(wc -l < "$aux") classpath entries"
java_cmd ${SAST_JAVA_OPTS:--XX:MaxRAMPercentage=60 -XX:+UseParallelGC} "${jit[@]}" -cp "$home/spotbugs/lib/*" \
  edu.umd.cs.findbugs.FindBugs2 -quiet -effort:max -low \
  -pluginList "$(ls "$home"/spotbugs/plugins/findsecbugs-plugin-*.jar | head -1)" \
  -include "$home/spotbugs/include.xml" -exclude "$home/spotbugs/exclude.xml" \
  -auxclasspathFromFile "$aux" -sourcepath "$sources" \
  -xml:withMessages -output "$STAGE_DIR/spotbugs.xml" "${classes[@]}"
rc=$?
if [ "$rc" -ne 0 ] || [ ! -s "$STAGE_DIR/spotbugs.xml" ]; then
  write_result ERROR "SpotBugs failed (exit code $rc); see sast.log"
  exit 1
fi
pruning=${PIPELINEX_SAST_PRUNING:-true}
[ "$pruning" = false ] || pruning=true
report=scanners
[ "${#jit[@]}" -gt 0 ] && report=scanners_quick
"$report" sast-report --spotbugs-xml "$STAGE_DIR/spotbugs.xml" --source "$APP_DIR" --out "$STAGE_DIR" \
  --classes "${#classes[@]}" --started-ms "$STAGE_STARTED_MS" \
  --pruning "$pruning" --class-dirs "$(IFS=:; echo "${classes[*]}")" \
  --findsecbugs-plugin "$(ls "$home"/spotbugs/plugins/findsecbugs-plugin-*.jar | head -1)" \
  || { [ -f "$STAGE_DIR/result.json" ] || write_result ERROR "the SAST report could not be written; see sast.log"; exit 1; }
