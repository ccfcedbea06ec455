#!/usr/bin/env bash
# Scores the SAST stage on the OWASP Benchmark for Java 1.2: true and false positive rates and
# their difference (the Benchmark's score) per category, before and after the precision step
# that suppresses injection findings proven safe, and the time that step added.
#
# The Benchmark is not part of this repository and must never be added to it. Get a checkout
# of the public project OWASP-Benchmark/BenchmarkJava (git clone of its GitHub repository, or
# `git --git-dir=<bare mirror> archive HEAD pom.xml src expectedresults-1.2.csv | tar -x -C DIR`)
# and pass its folder:
#
#   bench/owasp-benchmark.sh BENCHMARK_DIR [WORK_DIR]
#
# BENCHMARK_DIR must hold pom.xml, src/ and expectedresults-1.2.csv. Its dependencies come from
# the Maven repositories configured for this machine. The scanners distribution must be built
# first (mvn -B -q -pl scanners -am package -DskipTests); PIPELINEX_SCANNERS may point elsewhere.
# WORK_DIR (default /tmp/pipelinex-owasp-benchmark) receives the stage's reports.
#
# The stage runs as in a job: pipelines/java-maven/sast.sh over the Benchmark's classes, with
# PIPELINEX_SAST_PRUNING=true. "Before" counts every result of sast.sarif, "after" only those not
# suppressed, so both columns come from one SpotBugs run.
set -euo pipefail

bench=${1:?usage: bench/owasp-benchmark.sh BENCHMARK_DIR [WORK_DIR]}
work=${2:-/tmp/pipelinex-owasp-benchmark}
here=$(cd "$(dirname "$0")/.." && pwd)
bench=$(cd "$bench" && pwd)
export PIPELINEX_SCANNERS=${PIPELINEX_SCANNERS:-$here/scanners/target/pipelinex-scanners}
[ -f "$bench/expectedresults-1.2.csv" ] || { echo "no expectedresults-1.2.csv in $bench" >&2; exit 2; }
[ -x "$PIPELINEX_SCANNERS/bin/pipelinex-scanners" ] || { echo "build the scanners first: $PIPELINEX_SCANNERS" >&2; exit 2; }

# The build stage's part: classes and the classpath file sast.sh reads. The Benchmark's
# formatter plugin is skipped (it wants files the source archive does not carry).
skip=(-Dspotless.apply.skip=true -Dspotless.check.skip=true)
if [ ! -f "$bench/target/pipelinex/classpath.txt" ]; then
  echo "+ building the Benchmark"
  mvn -B -q -ntp -f "$bench/pom.xml" "${skip[@]}" -DskipTests compile \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.outputFile=target/pipelinex/classpath.txt
fi

rm -rf "$work" && mkdir -p "$work/reports"
echo "+ SAST stage"
APP_DIR=$bench PIPELINES_DIR=$here/pipelines/java-maven REPORTS_DIR=$work/reports PIPELINEX_SAST_PRUNING=true \
  bash "$here/pipelines/java-maven/sast.sh" > "$work/sast.log" 2>&1 || { tail -20 "$work/sast.log"; exit 1; }
tail -2 "$work/sast.log"

python3 - "$bench/expectedresults-1.2.csv" "$work/reports/sast/sast.sarif" "$work/reports/sast/result.json" <<'PY'
import csv, json, re, sys

expected_csv, sarif_path, result_path = sys.argv[1:4]
# The CWE each category is scored on, and the CWEs FindSecBugs/SpotBugs report for it.
category_cwe = {"cmdi": 78, "crypto": 327, "hash": 328, "ldapi": 90, "pathtraver": 22, "securecookie": 614,
                "sqli": 89, "trustbound": 501, "weakrand": 330, "xpathi": 643, "xss": 79}
same_as = {23: 22, 36: 22, 326: 327, 564: 89}

truth = {}
with open(expected_csv) as f:
    for row in csv.reader(f):
        if not row or row[0].startswith("#"):
            continue
        truth[row[0].strip()] = (row[1].strip(), row[2].strip() == "true")

flagged = {"before": set(), "after": set()}
run = json.load(open(sarif_path))["runs"][0]
for r in run["results"]:
    uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    m = re.search(r"(BenchmarkTest\d+)\.java$", uri)
    cwe = r.get("properties", {}).get("cwe", "")
    if not m or not cwe.startswith("CWE-"):
        continue
    n = int(cwe[4:])
    n = same_as.get(n, n)
    key = (m.group(1), n)
    flagged["before"].add(key)
    if not r.get("suppressions"):
        flagged["after"].add(key)

def score(which):
    rows = {}
    for test, (cat, real) in truth.items():
        hit = (test, category_cwe[cat]) in flagged[which]
        c = rows.setdefault(cat, [0, 0, 0, 0])  # tp fn fp tn
        c[0 if real and hit else 1 if real else 2 if hit else 3] += 1
    return rows

before, after = score("before"), score("after")
print(f"{'category':<13}{'TP':>5}{'FN':>5}{'FP':>5}{'TN':>5}{'TPR':>7}{'FPR':>7}{'score':>7}  |"
      f"{'TP':>5}{'FN':>5}{'FP':>5}{'TN':>5}{'TPR':>7}{'FPR':>7}{'score':>7}")
print(f"{'':<13}{'before pruning':^41}  |{'after pruning':^41}")
totals = {"before": [], "after": []}
for cat in sorted(before):
    line = f"{cat:<13}"
    for which, rows in (("before", before), ("after", after)):
        tp, fn, fp, tn = rows[cat]
        tpr, fpr = tp / max(1, tp + fn), fp / max(1, fp + tn)
        totals[which].append((tpr, fpr))
        line += f"{tp:>5}{fn:>5}{fp:>5}{tn:>5}{100*tpr:>6.1f}%{100*fpr:>6.1f}%{100*(tpr-fpr):>6.1f}%" + ("  |" if which == "before" else "")
    print(line)
for which in ("before", "after"):
    t = totals[which]
    tpr, fpr = sum(x for x, _ in t) / len(t), sum(y for _, y in t) / len(t)
    print(f"{which:>6} pruning: TPR {100*tpr:.1f}%  FPR {100*fpr:.1f}%  score {100*(tpr-fpr):.1f}%")
lost = [c for c in before if after[c][0] < before[c][0]]
print("true positives lost:", ", ".join(lost) if lost else "none")
p = json.load(open(result_path))["summary"].get("pruning", {})
print(f"pruning: {p.get('examined', 0)} injection findings examined, {p.get('suppressed', 0)} suppressed, "
      f"{p.get('duration_ms', 0)} ms added")
PY
