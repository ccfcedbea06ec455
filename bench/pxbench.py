#!/usr/bin/env python3
"""The API side of bench/pipeline.sh: submits jobs, follows them, takes the times, and prints
the final table. Standard library only. Every figure a step measures is added to a JSON file
(FIGURES, the first argument after the command) that `report` turns into the table.

  pxbench.py gen-tree DIR MB                    Java-like source files, about MB megabytes
  pxbench.py make-zip OUT MIB PROJECT PAD_DIR   PROJECT plus files of PAD_DIR, deflated, until OUT is MIB MiB
  pxbench.py job FIGURES PREFIX ZIP META        one job: 201 to final, stage intervals, service overhead;
                                                called again with the same PREFIX, it keeps every run and
                                                reports the run of median time
  pxbench.py hand FIGURES PREFIX TOTAL PASSED STAGE SECONDS...
                                                one by-hand run (PREFIX hand: the stage scripts; one:
                                                build and test in one Maven run); the median is reported
  pxbench.py dispatch FIGURES ZIP META N        N tiny jobs one after another: 201 to the first stage start
  pxbench.py throughput FIGURES ZIP META N PID  N tiny jobs at once: drain rate, GET latency, server RSS
  pxbench.py wait FIGURES JOB_ID                waits for a job to end; records its stage times
  pxbench.py rss FIGURES NAME PID               the RSS of PID (VmRSS) now, in MiB
  pxbench.py put FIGURES NAME VALUE             records a figure measured by the shell
  pxbench.py results REPORTS_DIR STAGE...      the status and time of each stage's result.json
  pxbench.py report FIGURES                     the table

The server is PX_URL with the account PX_USER / PX_PASSWORD (HTTP Basic).
"""
import base64
import datetime as dt
import http.client
import json
import os
import random
import sys
import threading
import time
import urllib.parse
import uuid
import zipfile

FINAL = {"SUCCEEDED", "FAILED", "CANCELLED"}


# ---------------------------------------------------------------- figures file

def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


def put(path, **values):
    figures = load(path)
    figures.update(values)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(figures, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def pct(values, p):
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def ts(iso):
    """Epoch seconds of an ISO-8601 UTC time of the API."""
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


# ---------------------------------------------------------------- HTTP client

class Api:
    def __init__(self):
        url = urllib.parse.urlsplit(os.environ["PX_URL"])
        self.host, self.port = url.hostname, url.port or 80
        token = base64.b64encode(f'{os.environ["PX_USER"]}:{os.environ["PX_PASSWORD"]}'.encode()).decode()
        self.auth = "Basic " + token
        self.conn = None

    def _conn(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        return self.conn

    def request(self, method, path, body=None, ctype=None):
        headers = {"Authorization": self.auth}
        if ctype:
            headers["Content-Type"] = ctype
        for attempt in range(2):
            try:
                c = self._conn()
                c.request(method, path, body=body, headers=headers)
                r = c.getresponse()
                data = r.read()
                return r.status, data
            except (http.client.HTTPException, ConnectionError):
                self.conn = None
                if attempt == 1:
                    raise

    def get_job(self, job_id):
        status, data = self.request("GET", f"/api/jobs/{job_id}")
        if status != 200:
            raise SystemExit(f"GET /api/jobs/{job_id}: {status} {data[:300]!r}")
        return json.loads(data)

    def submit(self, zip_bytes, filename, metadata):
        """Returns (job metadata of the 201, time before the POST, time of the 201)."""
        boundary = uuid.uuid4().hex
        body = b"".join([
            f'--{boundary}\r\nContent-Disposition: form-data; name="metadata"; filename="metadata.json"\r\n'
            f'Content-Type: application/json\r\n\r\n'.encode(), metadata, b"\r\n",
            f'--{boundary}\r\nContent-Disposition: form-data; name="project_zip"; filename="{filename}"\r\n'
            f'Content-Type: application/zip\r\n\r\n'.encode(), zip_bytes, b"\r\n",
            f"--{boundary}--\r\n".encode()])
        t0 = time.time()
        status, data = self.request("POST", "/api/jobs/upload", body, f"multipart/form-data; boundary={boundary}")
        t1 = time.time()
        if status != 201:
            raise SystemExit(f"POST /api/jobs/upload: {status} {data[:500]!r}")
        return json.loads(data), t0, t1


def wait_final(api, job_id, every=0.05, timeout=3600):
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = api.get_job(job_id)
        if job["state"]["state"] in FINAL:
            return job
        time.sleep(every)
    raise SystemExit(f"job {job_id} did not end within {timeout} s")


def intervals(state):
    out = []
    for s in state["stages"]:
        if s.get("started_at") and s.get("finished_at"):
            out.append((ts(s["started_at"]), ts(s["finished_at"]), s["name"], s["status"]))
    return sorted(out)


def union_length(spans):
    total, cur_start, cur_end = 0.0, None, None
    for a, b in sorted(spans):
        if cur_end is None or a > cur_end:
            if cur_end is not None:
                total += cur_end - cur_start
            cur_start, cur_end = a, b
        else:
            cur_end = max(cur_end, b)
    if cur_end is not None:
        total += cur_end - cur_start
    return total


def first_start(state):
    starts = [ts(s["started_at"]) for s in state["stages"] if s.get("started_at")]
    return min(starts) if starts else None


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


# ---------------------------------------------------------------- commands

def cmd_job(figures, prefix, zip_path, meta_path):
    api = Api()
    meta, t0, t201 = api.submit(read_file(zip_path), os.path.basename(zip_path), read_file(meta_path))
    job_id = meta["job_id"]
    print(f"  job {job_id}: 201 after {t201 - t0:.3f} s (upload and intake)", flush=True)
    job = wait_final(api, job_id, every=0.2)
    state = job["state"]
    end = ts(state["updated_at"])
    created = ts(meta["created_at"])
    spans = intervals(state)
    covered = union_length([(a, b) for a, b, _, _ in spans])
    wall = end - created
    for a, b, name, status in spans:
        print(f"    {name:8s} {status:8s} {a - created:7.2f} .. {b - created:7.2f} s  ({b - a:.2f} s)")
    print(f"  job {state['state']} on runner {state.get('runner')}: {end - t201:.2f} s from the 201 to the final state")
    if state["state"] != "SUCCEEDED":
        print(f"  NOTE: not a comparable run: {state.get('error')} (GET /api/jobs/{job_id}/reports/<stage>/log)")
    run = {
        f"{prefix}_job_id": job_id, f"{prefix}_state": state["state"], f"{prefix}_runner": state.get("runner"),
        f"{prefix}_upload_s": t201 - t0, f"{prefix}_job_s": end - t201, f"{prefix}_wall_s": wall,
        f"{prefix}_stages_s": covered, f"{prefix}_overhead_s": wall - covered,
        f"{prefix}_stage_times": {name: round(b - a, 2) for a, b, name, _ in spans}}
    put_median_run(figures, prefix, run, f"{prefix}_job_s")


def put_median_run(figures, prefix, run, key):
    """Adds the run to PREFIX_runs and makes the run of median KEY the reported one; a failed
    run (state other than SUCCEEDED) counts as the slowest."""
    runs = load(figures).get(f"{prefix}_runs", []) + [run]
    state = f"{prefix}_state"
    ranked = sorted(runs, key=lambda r: (r.get(state, "SUCCEEDED") != "SUCCEEDED" or r.get(prefix + "_passed") == "no", r[key]))
    put(figures, **ranked[(len(ranked) - 1) // 2], **{f"{prefix}_runs": runs})


def cmd_dispatch(figures, zip_path, meta_path, n):
    api = Api()
    zip_bytes, meta_bytes = read_file(zip_path), read_file(meta_path)
    lat, created_lat, intake, total = [], [], [], []
    for i in range(int(n)):
        meta, t0, t201 = api.submit(zip_bytes, "tiny.zip", meta_bytes)
        job = wait_final(api, meta["job_id"], every=0.02)
        start = first_start(job["state"])
        if start is None or job["state"]["state"] != "SUCCEEDED":
            raise SystemExit(f"tiny job {meta['job_id']} ended {job['state']['state']} without a stage start")
        lat.append((start - t201) * 1000)
        created_lat.append((start - ts(meta["created_at"])) * 1000)
        intake.append((t201 - t0) * 1000)
        total.append(ts(job["state"]["updated_at"]) - t201)
        time.sleep(0.3)  # the server idle again before the next one
    print(f"  201 -> first stage RUNNING: p50 {pct(lat, 50):.1f} ms, p99 {pct(lat, 99):.1f} ms, "
          f"min {min(lat):.1f} ms, max {max(lat):.1f} ms")
    print(f"  created_at -> first stage RUNNING: p50 {pct(created_lat, 50):.1f} ms, p99 {pct(created_lat, 99):.1f} ms")
    print(f"  POST to 201 (intake of the tiny zip): p50 {pct(intake, 50):.1f} ms, p99 {pct(intake, 99):.1f} ms")
    print(f"  whole tiny job, 201 to final: p50 {pct(total, 50):.2f} s")
    put(figures, dispatch_n=int(n), dispatch_p50_ms=pct(lat, 50), dispatch_p99_ms=pct(lat, 99),
        dispatch_created_p50_ms=pct(created_lat, 50), dispatch_created_p99_ms=pct(created_lat, 99),
        tiny_post_p50_ms=pct(intake, 50), tiny_post_p99_ms=pct(intake, 99), tiny_job_p50_s=pct(total, 50))


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def cmd_throughput(figures, zip_path, meta_path, n, pid):
    n = int(n)
    zip_bytes, meta_bytes = read_file(zip_path), read_file(meta_path)
    stop = threading.Event()
    peak = [rss_mib(pid)]

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_mib(pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    barrier = threading.Barrier(n)
    submitted = [None] * n
    errors = []

    def submit(i):
        api = Api()
        api._conn().connect()
        barrier.wait()
        try:
            submitted[i] = api.submit(zip_bytes, f"tiny-{i}.zip", meta_bytes)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        stop.set()
        raise SystemExit(f"{len(errors)} submissions failed, e.g. {errors[0]}")
    posts = [(t201 - t0) * 1000 for _, t0, t201 in submitted]
    first_post = min(t0 for _, t0, _ in submitted)
    last_201 = max(t201 for _, _, t201 in submitted)
    ids = [m["job_id"] for m, _, _ in submitted]
    print(f"  {n} submissions in {last_201 - first_post:.2f} s; POST latency p50 {pct(posts, 50):.0f} ms, "
          f"p99 {pct(posts, 99):.0f} ms", flush=True)

    # Two pollers read every job not yet final, over and over (50 GETs/s each at most), as dashboards would.
    gets, lock = [], threading.Lock()
    ends = {}

    def poll(part):
        api = Api()
        pending = list(part)
        while pending:
            for job_id in list(pending):
                t0 = time.time()
                job = api.get_job(job_id)
                took = (time.time() - t0) * 1000
                with lock:
                    gets.append(took)
                if job["state"]["state"] in FINAL:
                    ends[job_id] = job["state"]
                    pending.remove(job_id)
                time.sleep(0.02)

    pollers = [threading.Thread(target=poll, args=(ids[k::2],)) for k in range(2)]
    for t in pollers:
        t.start()
    for t in pollers:
        t.join()
    stop.set()
    sampler.join()
    last_end = max(ts(s["updated_at"]) for s in ends.values())
    drain = last_end - first_post
    states = {}
    for s in ends.values():
        states[s["state"]] = states.get(s["state"], 0) + 1
    print(f"  all {n} final after {drain:.2f} s ({states}): {n / drain:.2f} jobs/s")
    print(f"  GET /api/jobs/{{id}} while draining ({len(gets)} calls): p50 {pct(gets, 50):.1f} ms, "
          f"p99 {pct(gets, 99):.1f} ms, max {max(gets):.1f} ms")
    print(f"  server RSS peak while draining: {peak[0]:.0f} MiB")
    put(figures, tp_n=n, tp_drain_s=drain, tp_jobs_per_s=n / drain, tp_states=states,
        tp_get_p50_ms=pct(gets, 50), tp_get_p99_ms=pct(gets, 99), tp_gets=len(gets),
        tp_post_p50_ms=pct(posts, 50), tp_post_p99_ms=pct(posts, 99), rss_peak_mib=peak[0])


def cmd_wait(figures, job_id):
    job = wait_final(Api(), job_id, every=0.2)
    state = job["state"]
    spans = intervals(state)
    print(f"  job {job_id} {state['state']}; "
          + ", ".join(f"{name} {status} {b - a:.2f} s" for a, b, name, status in spans))
    put(figures, intake_job_state=state["state"],
        intake_job_stage_times={name: round(b - a, 2) for a, b, name, _ in spans})


# ---------------------------------------------------------------- generated sources

WORDS = ("order customer invoice payment account ledger report session token cache index entry "
         "record owner visit pet vet clinic schedule price amount total status value item list map "
         "request response handler service repository factory builder manager config event queue").split()
TYPES = ["String", "int", "long", "boolean", "double", "List<String>", "Map<String, Object>", "Optional<Long>"]


def ident(rnd, upper=False):
    w = [rnd.choice(WORDS) for _ in range(rnd.randint(1, 3))]
    s = w[0] + "".join(x.capitalize() for x in w[1:])
    if rnd.random() < 0.5:
        s += str(rnd.randint(0, 999))
    return s[0].upper() + s[1:] if upper else s


def java_file(rnd, pkg, name, target):
    out = [f"package {pkg};\n\nimport java.util.*;\nimport java.time.Instant;\n\n",
           f"/** {' '.join(rnd.choice(WORDS) for _ in range(12))}. */\n",
           f"public class {name} {{\n"]
    size = sum(len(x) for x in out)
    while size < target:
        f, t = ident(rnd), rnd.choice(TYPES)
        block = (f"    private {t} {f};\n\n"
                 f"    /** Returns the {rnd.choice(WORDS)} {rnd.choice(WORDS)} of this {rnd.choice(WORDS)}. */\n"
                 f"    public {t} get{f[0].upper() + f[1:]}() {{\n"
                 f"        if ({ident(rnd)} > {rnd.randint(0, 100000)}) {{\n"
                 f"            log.info(\"{' '.join(rnd.choice(WORDS) for _ in range(5))} {{}}\", {ident(rnd)});\n"
                 f"            {ident(rnd)}.put({rnd.getrandbits(62)}L, {rnd.getrandbits(40)}L ^ {ident(rnd)}.{ident(rnd)}());\n"
                 f"        }}\n"
                 f"        return this.{f};\n    }}\n\n")
        out.append(block)
        size += len(block)
    out.append("}\n")
    return "".join(out)


def cmd_gen_tree(directory, mb, seed=7, file_kib=48):
    rnd = random.Random(int(seed))
    target = int(float(mb) * 1_000_000)
    written, n = 0, 0
    while written < target:
        pkg = f"com.example.gen.m{n // 200}"
        d = os.path.join(directory, "src", "main", "java", *pkg.split("."))
        os.makedirs(d, exist_ok=True)
        name = ident(rnd, upper=True) + f"N{n}"
        text = java_file(rnd, pkg, name, rnd.randint(file_kib * 512, file_kib * 1536))
        with open(os.path.join(d, name + ".java"), "w") as f:
            f.write(text)
        written += len(text)
        n += 1
    print(f"  generated {n} files, {written / 1e6:.1f} MB in {directory}")


def cmd_make_zip(out, mib, project, pad_dir):
    limit = int(float(mib) * (1 << 20))
    tmp = out + ".part"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for root, dirs, files in os.walk(project):
            dirs[:] = [d for d in dirs if d not in (".git", "target")]
            for f in sorted(files):
                p = os.path.join(root, f)
                z.write(p, os.path.join("project", os.path.relpath(p, project)))
        pads = []
        for root, _, files in os.walk(pad_dir, followlinks=True):
            pads += [os.path.join(root, f) for f in sorted(files)]
        pads.sort()
        for p in pads:
            z.write(p, os.path.join("project", "padding", os.path.relpath(p, pad_dir)))
            z.fp.flush()
            if os.path.getsize(tmp) >= limit:
                break
        else:
            raise SystemExit(f"{pad_dir} holds too little to make {mib} MiB")
        entries, unpacked = len(z.infolist()), sum(i.file_size for i in z.infolist())
    os.replace(tmp, out)
    print(f"  {out}: {os.path.getsize(out) / (1 << 20):.1f} MiB, {entries} entries, "
          f"{unpacked / (1 << 20):.1f} MiB unpacked")


# ---------------------------------------------------------------- the table

def cmd_report(figures_path):
    f = load(figures_path)
    g = f.get
    rows = []

    def row(name, value, unit, target=None, ok=None, fmt="{:.2f}"):
        shown = "-" if value is None else (fmt.format(value) + (" " + unit if unit else ""))
        verdict = "-" if ok is None else ("PASS" if ok else "MISS")
        rows.append((name, shown, target or "-", verdict))

    def num(key):
        v = g(key)
        return v if isinstance(v, (int, float)) else None

    hand = num("hand_s")
    name = g("project") or "project"
    def spread(prefix, key):
        times = sorted(r[key] for r in g(f"{prefix}_runs") or [] if key in r)
        return "" if len(times) < 2 else f", median of {len(times)}: {times[0]:.1f} .. {times[-1]:.1f} s"

    row(f"1. {name} by hand (the stage scripts in sequence{spread('hand', 'hand_s')})", hand, "s")
    one = num("one_s")
    row(f"1. {name} by hand, build and test in one Maven run{spread('one', 'one_s')}", one, "s")
    for prefix, what in (("warm", "first job"), ("pet", "second job, same POMs")):
        job = num(f"{prefix}_job_s")
        ratio = job / hand if hand and job is not None else None
        row(f"1. {name} {what}, 201 to final ({g(prefix + '_runner')} runner, {g(prefix + '_state')}"
            f"{spread(prefix, prefix + '_job_s')})", job, "s")
        # A job or a by-hand run that did not pass every stage is no comparison: MISS whatever the ratio.
        comparable = g(f"{prefix}_state") == "SUCCEEDED" and g("hand_passed") != "no"
        row(f"1. {what} / by hand" + ("" if comparable else " (not comparable: a stage did not pass)"), ratio, "",
            "<= 0.80", None if ratio is None else comparable and ratio <= 0.8)
        if one and job is not None:
            # Against the by-hand sequence that also runs the build and tests in one Maven run.
            row(f"1. {what} / by hand in one Maven run", job / one, "")
    chain = [num(f"hand_{s}_s") for s in ("build", "test")]
    if hand and None not in chain:
        # What a job cannot run beside anything: its build, then its tests.
        row("1. share of build + test in the by-hand time", sum(chain) / hand, "")
    ov, wall = num("pet_overhead_s"), num("pet_wall_s")
    row("2. service overhead per job (wall - stage union)", ov, "s", "< 1 s", None if ov is None else ov < 1)
    share = 100 * ov / wall if ov is not None and wall else None
    row("2. overhead share of the job", share, "%", "< 5 %", None if share is None else share < 5)
    p50, p99 = num("dispatch_p50_ms"), num("dispatch_p99_ms")
    row(f"3. dispatch 201 -> RUNNING, p50 (n={g('dispatch_n')})", p50, "ms", "< 50 ms", None if p50 is None else p50 < 50, "{:.1f}")
    row(f"3. dispatch 201 -> RUNNING, p99 (n={g('dispatch_n')})", p99, "ms", None, None, "{:.1f}")
    row(f"4. throughput, {g('tp_n')} tiny jobs at once", num("tp_jobs_per_s"), "jobs/s")
    row("4. time to drain them", num("tp_drain_s"), "s")
    row("4. GET /api/jobs/{id} while draining, p50", num("tp_get_p50_ms"), "ms", None, None, "{:.1f}")
    row("4. GET /api/jobs/{id} while draining, p99", num("tp_get_p99_ms"), "ms", None, None, "{:.1f}")
    row("4. POST /api/jobs/upload at once, p50", num("tp_post_p50_ms"), "ms", None, None, "{:.0f}")
    row("4. POST /api/jobs/upload at once, p99", num("tp_post_p99_ms"), "ms", None, None, "{:.0f}")
    up, uz = num("intake_upload_s"), num("intake_unzip_s")
    row(f"5. upload of a {g('intake_zip_mib') or 40:.0f} MiB ZIP, POST to 201", up, "s")
    row("5. unzip -q of the same ZIP", uz, "s")
    row("5. upload / unzip", up / uz if up and uz else None, "")
    row(f"5. secret scanner over {g('scan_mb') or 0:.0f} MB of sources", num("scan_mb_per_s"), "MB/s", None, None, "{:.1f}")
    row("6. server RSS just after start", num("rss_start_mib"), "MiB", None, None, "{:.0f}")
    row("6. server RSS at idle (after the warm-up jobs)", num("rss_idle_mib"), "MiB", None, None, "{:.0f}")
    row("6. server RSS peak while draining (step 4)", num("rss_peak_mib"), "MiB", None, None, "{:.0f}")

    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    w2 = max(len(r[2]) for r in rows)
    print(f"{'figure':{w0}}  {'value':>{w1}}  {'target':{w2}}  verdict")
    print("-" * (w0 + w1 + w2 + 14))
    for name, value, target, verdict in rows:
        print(f"{name:{w0}}  {value:>{w1}}  {target:{w2}}  {verdict}")


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "gen-tree":
        cmd_gen_tree(*args)
    elif cmd == "make-zip":
        cmd_make_zip(*args)
    elif cmd == "job":
        cmd_job(*args)
    elif cmd == "dispatch":
        cmd_dispatch(*args)
    elif cmd == "throughput":
        cmd_throughput(*args)
    elif cmd == "wait":
        cmd_wait(*args)
    elif cmd == "rss":
        put(args[0], **{args[1]: rss_mib(args[2])})
        print(f"  server RSS: {rss_mib(args[2]):.0f} MiB")
    elif cmd == "hand":
        prefix = args[1]
        run = {f"{prefix}_s": float(args[2]), f"{prefix}_passed": args[3]}
        for stage, seconds in zip(args[4::2], args[5::2]):
            run[f"{prefix}_{stage}_s"] = float(seconds)
        put_median_run(args[0], prefix, run, f"{prefix}_s")
    elif cmd == "put":
        value = args[2]
        try:
            value = float(value)
        except ValueError:
            pass
        put(args[0], **{args[1]: value})
    elif cmd == "results":
        out = []
        for stage in args[1:]:
            try:
                with open(os.path.join(args[0], stage, "result.json")) as f:
                    r = json.load(f)
                out.append(f"{stage} {r['status']} {r['duration_ms'] / 1000:.1f} s")
            except (OSError, ValueError, KeyError):
                out.append(f"{stage}: no result")
        print(", ".join(out))
    elif cmd == "report":
        cmd_report(args[0])
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
