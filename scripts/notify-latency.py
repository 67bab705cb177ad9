#!/usr/bin/env python3
"""Notification latency from the acceptance's commit to the mail server (issue 14).

    notify-latency.py --motcua target/release/motcua [--dossiers 60]

Starts an SMTP server in this process (aiosmtpd) that records when each message arrives,
and `motcua serve` on a fresh demo database with `--smtp-url` pointing at it. An applicant
submits `--dossiers` online birth registrations; a reception officer accepts them one after
another as fast as the API answers (the load). For each acceptance: the time the API took
(the baseline, measured in the same run) and the time from its answer to the mail's arrival
at the SMTP server. Prints medians, p99 and the ratio. Needs aiosmtpd (the CI virtualenv has
it).
"""
import argparse
import email
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from aiosmtpd.controller import Controller

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "browser"))
from portal import free_port  # noqa: E402

COMMUNE = "000.31.12.H53"


class Recorder:
    def __init__(self):
        self.arrived = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        at = time.time()
        msg = email.message_from_bytes(envelope.content)
        subject = str(email.header.make_header(email.header.decode_header(msg["subject"])))
        with self.lock:
            self.arrived[subject] = at
        return "250 OK"


def api(base, method, path, body=None, token=None):
    req = urllib.request.Request(base + "/api/v1" + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        text = r.read()
        return json.loads(text) if text else None


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--motcua", required=True)
    ap.add_argument("--dossiers", type=int, default=60)
    args = ap.parse_args()

    recorder = Recorder()
    smtp_port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    work = tempfile.mkdtemp(prefix="motcua-latency-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    out = open(os.path.join(work, "serve.out"), "w")
    proc = subprocess.Popen(
        [args.motcua, "serve", "--database", f"sqlite://{work}/demo.db", "--addr",
         f"127.0.0.1:{port}", "--smtp-url", f"smtp://127.0.0.1:{smtp_port}"],
        stdout=out, stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        with open(os.path.join(work, "serve.out")) as f:
            once = {p[0]: p[3] for p in (l.split() for l in f) if len(p) == 4 and "." in p[0]}
        login, new = "mot-cua.p2", "ben-ninh-kieu-17"
        first = api(base, "POST", "/sessions", {"id": login, "password": once[login]})["token"]
        api(base, "POST", "/me/password", {"current": once[login], "new": new}, first)
        desk = api(base, "POST", "/sessions", {"id": login, "password": new})["token"]
        # Online submissions are limited to 20 an hour per applicant account, and
        # registrations to 10 an hour per address: 15 dossiers per account.
        citizens = []
        for k in range((args.dossiers + 14) // 15):
            api(base, "POST", "/accounts", {"id": f"do-tre-{k}", "name": "Đỗ Văn Tre",
                                           "password": "song-hau-phu-sa-42"})
            citizens.append(api(base, "POST", "/sessions", {
                "id": f"do-tre-{k}", "password": "song-hau-phu-sa-42"})["token"])
        ids = []
        for n in range(args.dossiers):
            citizen = citizens[n // 15]
            d = api(base, "POST", "/dossiers", {
                "procedure": "1.001193", "agency": COMMUNE,
                "applicant": {"name": "Đỗ Văn Tre", "email": f"tre{n}@example.vn"},
                "form": {"ten_tre": "Đỗ Minh", "ngay_sinh": "01/12/2026"},
                "components": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]}, citizen)
            ids.append(d["id"])
        time.sleep(3)  # the demo's own notices go out first
        accepted = {}
        took = []
        for i in ids:
            t0 = time.time()
            api(base, "POST", f"/dossiers/{i}/commands", {"command": "accept"}, desk)
            t1 = time.time()
            took.append(t1 - t0)
            code = api(base, "GET", f"/dossiers/{i}", token=desk)["dossier"]["code"]
            accepted[f"Hồ sơ {code} đã được tiếp nhận"] = t1
        deadline = time.time() + 120
        while time.time() < deadline:
            with recorder.lock:
                if all(s in recorder.arrived for s in accepted):
                    break
            time.sleep(0.2)
        with recorder.lock:
            late = [recorder.arrived[s] - t for s, t in accepted.items() if s in recorder.arrived]
        missing = len(accepted) - len(late)
        ms = lambda x: f"{x * 1000:.0f} ms"  # noqa: E731
        print(f"{len(accepted)} acceptances, {len(late)} mails arrived, {missing} missing")
        print(f"acceptance request (baseline): median {ms(statistics.median(took))}, "
              f"p99 {ms(pct(took, 99))}")
        print(f"commit to SMTP server:         median {ms(statistics.median(late))}, "
              f"p99 {ms(pct(late, 99))}, max {ms(max(late))}")
        print(f"ratio of medians (latency / acceptance): "
              f"{statistics.median(late) / statistics.median(took):.1f}")
        return 1 if missing else 0
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
