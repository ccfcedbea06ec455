#!/usr/bin/env python3
"""The helper of bench/job-list.sh. Standard library only.

  joblist.py clone ROOT TEMPLATE_ID N    N finished jobs more in the workspace root ROOT, copies of the
                                         metadata.json and state.json of job TEMPLATE_ID with new ids and
                                         creation times spread over the past 30 days; each appears whole
                                         (made beside ROOT, then renamed into it), as an admission does
  joblist.py time PATH N                 N GETs of PATH on one connection; prints the first call's and
                                         the median and 95th percentile time in milliseconds

The server is PX_URL with the account PX_USER / PX_PASSWORD (HTTP Basic).
"""
import base64
import datetime as dt
import http.client
import json
import os
import random
import shutil
import sys
import time
import urllib.parse
import uuid


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def cmd_clone(root, template_id, n):
    src = os.path.join(root, template_id)
    with open(os.path.join(src, "metadata.json")) as f:
        metadata = json.load(f)
    with open(os.path.join(src, "state.json")) as f:
        state = json.load(f)
    staging = os.path.join(os.path.dirname(os.path.abspath(root)), "staging")
    os.makedirs(staging, exist_ok=True)
    rnd = random.Random(n)
    now = dt.datetime.now(dt.timezone.utc)
    for _ in range(n):
        job_id = str(uuid.uuid4())
        created = now - dt.timedelta(seconds=rnd.randrange(30 * 86400))
        ended = created + dt.timedelta(seconds=rnd.randrange(5, 600))
        metadata["job_id"] = job_id
        metadata["created_at"] = iso(created)
        state["job_id"] = job_id
        state["state"] = rnd.choice(["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "FAILED", "CANCELLED"])
        state["created_at"] = iso(created)
        state["updated_at"] = iso(ended)
        d = os.path.join(staging, job_id)
        os.makedirs(os.path.join(d, "source"))
        os.makedirs(os.path.join(d, "reports"))
        with open(os.path.join(d, "metadata.json"), "w") as f:
            json.dump(metadata, f, indent=2)
        with open(os.path.join(d, "state.json"), "w") as f:
            json.dump(state, f, indent=2)
        os.rename(d, os.path.join(root, job_id))
    shutil.rmtree(staging, ignore_errors=True)


def cmd_time(path, n):
    url = urllib.parse.urlsplit(os.environ["PX_URL"])
    auth = base64.b64encode(f"{os.environ['PX_USER']}:{os.environ['PX_PASSWORD']}".encode()).decode()
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        conn.request("GET", path, headers={"Authorization": "Basic " + auth})
        r = conn.getresponse()
        r.read()
        times.append((time.perf_counter() - t0) * 1000)
        if r.status != 200:
            raise SystemExit(f"GET {path}: {r.status}")
    rest = sorted(times[1:]) or times
    median = rest[len(rest) // 2]
    p95 = rest[min(len(rest) - 1, int(round(0.95 * (len(rest) - 1))))]
    print(f"{times[0]:.1f} {median:.2f} {p95:.2f}")


def main(argv):
    if len(argv) == 4 and argv[0] == "clone":
        cmd_clone(argv[1], argv[2], int(argv[3]))
    elif len(argv) == 3 and argv[0] == "time":
        cmd_time(argv[1], int(argv[2]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
