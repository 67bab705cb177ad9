#!/usr/bin/env python3
"""Bounded load test of `motcua serve`: clients sending the largest submissions the limits
allow (every applicant field, 100 form fields of 2 000 characters each) for a fixed time,
on this machine's loopback only.

It starts its own server (target/release/motcua) on a fresh SQLite file in a temporary
directory with the demo, logs in as the district's reception officer (desk registrations
are not limited per hour, as an applicant's online submissions are: the test measures
what the field limits alone allow), then runs the clients while it polls /readyz and the
server's resident memory every 0.25 s. It prints requests sent and accepted, the database's
growth per accepted submission, the peak resident memory, and whether /readyz answered
throughout; it exits with 1 if the server went over the memory ceiling or stopped answering.

Usage: python3 scripts/bounded-load.py [--seconds 30] [--clients 8] [--ceiling-mib 512]
(docs/operations.md, "Limits", records its figures.) Needs only the standard library.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def request(url, body=None, token=None, timeout=30):
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    req = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def largest_submission(n):
    """A submission with every field at its limit (motcua-http/src/limits.rs)."""
    return {
        "procedure": "HKD-DK-THANH-LAP",
        "agency": "000.20.31.H53",
        "channel": "direct",
        "applicant": {
            "name": ("Nguyễn Thị Ánh " * 14)[:200],
            "id_number": f"{n:020d}",
            "address": ("Số 1 đường Trần Hưng Đạo, phường 2, thành phố Sóc Trăng " * 9)[:500],
            "phone": "0" * 20,
            "email": "a" * 249 + "@x.vn",
        },
        "form": {f"truong-{i:03d}": ("ư" * 2000) for i in range(100)},
        "components": ["Giấy đề nghị đăng ký hộ kinh doanh"],
    }


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def db_bytes(path):
    return sum(os.path.getsize(path + s) for s in ("", "-wal") if os.path.exists(path + s))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--ceiling-mib", type=int, default=512)
    args = ap.parse_args()
    motcua = os.path.join(HERE, "target", "release", "motcua")
    if not os.access(motcua, os.X_OK):
        subprocess.run(["cargo", "build", "--release", "-p", "motcua-cli"], cwd=HERE, check=True)
    work = tempfile.mkdtemp(prefix="motcua-bounded-")
    db = os.path.join(work, "load.db")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(os.path.join(work, "serve.log"), "w")
    out_path = os.path.join(work, "serve.out")
    out = open(out_path, "w")
    server = subprocess.Popen(
        [motcua, "serve", "--addr", f"127.0.0.1:{port}", "--database", f"sqlite://{db}"],
        cwd=work, stdout=out, stderr=log)
    try:
        for _ in range(300):
            try:
                if request(base + "/readyz", timeout=1)[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            sys.exit("the server did not become ready")
        out.flush()
        once = next(line.split()[3] for line in open(out_path) if " mot-cua.tp " in line)
        status, body = request(base + "/api/v1/sessions", {"id": "mot-cua.tp", "password": once})
        first = json.loads(body)["token"]
        status, _ = request(base + "/api/v1/me/password",
                            {"current": once, "new": "hoa-sen-no-muon-7"}, first)
        assert status == 204, status
        status, body = request(base + "/api/v1/sessions",
                               {"id": "mot-cua.tp", "password": "hoa-sen-no-muon-7"})
        token = json.loads(body)["token"]
        size = len(json.dumps(largest_submission(0), ensure_ascii=False).encode())
        before = db_bytes(db)
        rss_before = rss_kib(server.pid)

        stop = time.monotonic() + args.seconds
        counts = {"sent": 0, "accepted": 0, "refused": 0, "errors": 0}
        lock = threading.Lock()
        ready = {"polls": 0, "failures": 0, "peak_rss_kib": rss_before}

        def client(k):
            n = 0
            while time.monotonic() < stop:
                n += 1
                try:
                    status, _ = request(base + "/api/v1/dossiers",
                                        largest_submission(k * 1_000_000 + n), token)
                    key = "accepted" if status == 201 else "refused"
                except OSError:
                    key = "errors"
                with lock:
                    counts["sent"] += 1
                    counts[key] += 1

        def watch():
            while time.monotonic() < stop:
                try:
                    ok = request(base + "/readyz", timeout=2)[0] == 200
                except OSError:
                    ok = False
                ready["polls"] += 1
                ready["failures"] += 0 if ok else 1
                ready["peak_rss_kib"] = max(ready["peak_rss_kib"], rss_kib(server.pid))
                time.sleep(0.25)

        threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
        threads.append(threading.Thread(target=watch))
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        growth = db_bytes(db) - before
        peak_mib = ready["peak_rss_kib"] / 1024
        print(f"clients {args.clients}, {elapsed:.1f} s, body {size} bytes per submission")
        print(f"sent {counts['sent']}, accepted {counts['accepted']}, refused {counts['refused']}, "
              f"errors {counts['errors']} ({counts['accepted'] / elapsed:.1f} accepted/s)")
        per = growth / counts["accepted"] if counts["accepted"] else 0
        print(f"database growth {growth / 1e6:.1f} MB, {per / 1024:.0f} KiB per accepted submission")
        print(f"resident memory: {rss_before / 1024:.0f} MiB before, peak {peak_mib:.0f} MiB "
              f"(ceiling {args.ceiling_mib} MiB)")
        print(f"/readyz: {ready['polls']} polls, {ready['failures']} failed")
        ok = peak_mib <= args.ceiling_mib and ready["failures"] == 0 and counts["errors"] == 0
        print("PASS" if ok else "FAIL")
        sys.exit(0 if ok else 1)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        out.close()
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
