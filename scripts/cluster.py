#!/usr/bin/env python3
"""Three `motcua serve` processes on one PostgreSQL, one killed mid-run (issue 14).

    cluster.py --motcua target/debug/motcua --pg postgres://postgres@127.0.0.1:5432/postgres [--psql PATH]

Creates a fresh database next to the one `--pg` names (and drops it afterwards), an SMTP
server in this process (aiosmtpd) and a fake eSMS gateway in this process, then starts three
servers on that database, each with its outbox worker pointed at both. The load: applicants
submit online birth registrations through all three, the reception officer accepts them
through all three (the session made through one is used on the others) and asks for a
supplement on every third; the district's desk registers and accepts paper dossiers at the
same time. A third of the way through the acceptances, server B is killed with SIGKILL with
requests in flight, then started again; then server C is killed while its worker holds leased
deliveries it has not sent (the SMTP server answers slowly so that it does), and started
again. Afterwards it checks:

- every command acknowledged with a 2xx is in the database (submissions, acceptances,
  supplement requests, registrations), and the event chain verifies (`motcua verify`);
- dossier codes are gapless per agency and day (1..n, whichever server assigned them);
- every delivery is sent: each SMS reached the gateway exactly once (the gateway honours the
  idempotency key, as eSMS's `RequestId`: a repeated key is answered as accepted and not sent
  again), each mail reached the SMTP server, at most once more per kill (mail
  servers do not deduplicate; docs/notifications.md), and the number scripted to be refused
  permanently is in the dead letters; the gateway's scripted HTTP 500s were retried;
- the alert job was run by one server only (the lease in `job_leases`);
- a login throttle tripped through one server holds on the other two;
- a procedure version published through one server is served by the other two within 2 s.

Exits non-zero, naming what failed, when any check fails. Needs psql and aiosmtpd.
"""
import argparse
import collections
import concurrent.futures
import email
import http.cookiejar
import http.server
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from aiosmtpd.controller import Controller

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "browser"))
from portal import free_port  # noqa: E402

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMUNE = "000.31.12.H53"
DISTRICT = "000.20.31.H53"
REFUSED_PHONE = "0999000111"
NEW_PASSWORD = "ba-may-chu-mot-co-so"
FAILURES = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what, flush=True)
    if not ok:
        FAILURES.append(what)


# ---------------------------------------------------------------------------------------
# The mail server and the SMS gateway.


class Mailbox:
    """Records every message: its Message-ID, recipient and subject. Answers slowly (0.15 s)
    so that a worker holds leased deliveries for a while."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        import asyncio
        await asyncio.sleep(0.15)
        msg = email.message_from_bytes(envelope.content)
        subject = str(email.header.make_header(email.header.decode_header(msg["subject"])))
        with self.lock:
            self.messages.append((msg["message-id"], envelope.rcpt_tos[0], subject))
        return "250 OK"


class Gateway(http.server.BaseHTTPRequestHandler):
    """eSMS's `SendMultipleMessage_V4_post_json`: checks the credentials and the fields the
    documentation names; the first attempt of every fifth new `RequestId` gets HTTP 500; the
    number REFUSED_PHONE is refused (CodeResult 108, not a valid number); a `RequestId`
    accepted before is answered as accepted without sending again."""

    lock = threading.Lock()
    sent = collections.Counter()  # RequestId -> messages sent to the phone network
    repeats = collections.Counter()  # RequestId -> repeated requests answered without sending
    failed_once = set()
    requests = 0
    texts = {}

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        if self.path != "/MainService.svc/json/SendMultipleMessage_V4_post_json/":
            return self.answer(404, {"CodeResult": "404"})
        if body.get("ApiKey") != "cluster-key" or body.get("SecretKey") != "cluster-secret":
            return self.answer(200, {"CodeResult": "101", "ErrorMessage": "Sai ApiKey"})
        key = body.get("RequestId")
        cls = Gateway
        with cls.lock:
            cls.requests += 1
            if not key or body.get("Brandname") != "MOTCUA" or body.get("SmsType") != "2":
                return self.answer(200, {"CodeResult": "110", "ErrorMessage": "bad request"})
            if cls.sent[key]:
                cls.repeats[key] += 1
                return self.answer(200, {"CodeResult": "100", "SMSID": key})
            if len(cls.failed_once) < 10_000 and key not in cls.failed_once \
                    and hash(key) % 5 == 0:
                cls.failed_once.add(key)
                return self.answer(500, {"error": "scripted"})
            if body.get("Phone") == REFUSED_PHONE:
                return self.answer(200, {"CodeResult": "108", "ErrorMessage": "Số không đúng"})
            cls.sent[key] += 1
            cls.texts[key] = body.get("Content", "")
        return self.answer(200, {"CodeResult": "100", "SMSID": key})


# ---------------------------------------------------------------------------------------
# HTTP and SQL.


def call(base, method, path, body=None, token=None, timeout=30):
    """(status, JSON body), or (None, error) when the server did not answer."""
    req = urllib.request.Request(base + "/api/v1" + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            text = r.read()
            return r.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        text = e.read()
        try:
            return e.code, json.loads(text) if text else None
        except ValueError:
            return e.code, text
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as e:
        return None, str(e)


PSQL = "psql"


def sql(url, query):
    out = subprocess.run([PSQL, "-X", "-q", "-At", "-F", "\t", url, "-c", query],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


class Server:
    def __init__(self, name, motcua, database, work, smtp_port, gateway_port):
        self.name, self.motcua, self.database, self.work = name, motcua, database, work
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.smtp_port, self.gateway_port = smtp_port, gateway_port
        self.proc = None
        self.runs = 0

    def start(self):
        self.runs += 1
        log = os.path.join(self.work, f"{self.name}-{self.runs}.log")
        env = dict(os.environ, MOTCUA_ESMS_API_KEY="cluster-key",
                   MOTCUA_ESMS_SECRET_KEY="cluster-secret", MOTCUA_ESMS_BRANDNAME="MOTCUA")
        self.proc = subprocess.Popen(
            [self.motcua, "serve", "--database", self.database, "--addr",
             f"127.0.0.1:{self.port}", "--smtp-url", f"smtp://127.0.0.1:{self.smtp_port}",
             "--sms-gateway", "esms", "--sms-url", f"http://127.0.0.1:{self.gateway_port}",
             "--outbox-lease", "30"],
            stdout=open(os.path.join(self.work, f"{self.name}-{self.runs}.out"), "w"),
            stderr=open(log, "w"), env=env, cwd=self.work)
        for _ in range(600):
            if self.proc.poll() is not None:
                raise SystemExit(f"server {self.name} exited: see {log}")
            try:
                urllib.request.urlopen(self.base + "/readyz", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        else:
            raise SystemExit(f"server {self.name} did not become ready")
        for _ in range(50):
            m = re.search(r"outbox worker started worker=(\S+)", open(log).read())
            if m:
                self.worker = m.group(1)
                return
            time.sleep(0.1)
        raise SystemExit(f"server {self.name} did not start its worker")

    def logs(self):
        return "".join(open(os.path.join(self.work, f"{self.name}-{n}.log")).read()
                       for n in range(1, self.runs + 1))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Ledger:
    """What the servers acknowledged, to look for afterwards."""

    def __init__(self):
        self.lock = threading.Lock()
        self.submitted = []  # dossier ids (201)
        self.accepted = set()  # dossier ids whose accept answered 2xx
        self.supplement = set()  # ids whose request-supplement answered 2xx
        self.registered = []  # desk dossier ids (201)
        self.lost = 0  # requests without an answer (the server was killed)
        self.retried = 0


def spread(servers, n):
    return servers[n % len(servers)]


def command(servers, n, ledger, path, body, token, ok_statuses=(200, 201, 204)):
    """Sends to server n, then to the next ones while a server does not answer; answers the
    final (status, body) and whether an earlier attempt went unanswered."""
    unanswered = False
    for k in range(len(servers) * 3):
        status, answer = call(spread(servers, n + k).base, "POST", path, body, token)
        if status is None:
            with ledger.lock:
                ledger.lost += 1
            unanswered = True
            time.sleep(0.05)
            continue
        return status, answer, unanswered
    return None, "no server answered", unanswered


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--motcua", required=True)
    ap.add_argument("--pg", required=True, help="a PostgreSQL URL whose server may get a new database")
    ap.add_argument("--dossiers", type=int, default=90, help="online dossiers (at most 150)")
    ap.add_argument("--desk", type=int, default=60, help="dossiers registered at the desk")
    ap.add_argument("--psql", default="psql")
    args = ap.parse_args()
    global PSQL
    PSQL = args.psql
    online = min(args.dossiers, 150)

    dbname = f"motcua_cluster_{os.getpid()}"
    sql(args.pg, f"CREATE DATABASE {dbname}")
    parts = urllib.parse.urlsplit(args.pg)
    database = urllib.parse.urlunsplit(parts._replace(path="/" + dbname))
    work = tempfile.mkdtemp(prefix="motcua-cluster-")

    mailbox = Mailbox()
    smtp_port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    gateway = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=gateway.serve_forever, daemon=True).start()

    args.motcua = os.path.abspath(args.motcua)
    servers = [Server(n, args.motcua, database, work, smtp_port, gateway.server_address[1])
               for n in "ABC"]
    try:
        servers[0].start()  # seeds the demo on the empty database
        servers[1].start()
        servers[2].start()
        a, b, c = servers
        print(f"three servers on {database}: {', '.join(s.base for s in servers)}", flush=True)
        once = {}
        for line in open(os.path.join(work, "A-1.out")):
            p = line.split()
            if len(p) == 4 and "." in p[0]:
                once[p[0]] = p[3]

        def staff(login, server_first, server_then):
            _, s = call(server_first.base, "POST", "/sessions", {"id": login, "password": once[login]})
            changed, why = call(server_first.base, "POST", "/me/password",
                                {"current": once[login], "new": NEW_PASSWORD}, s["token"])
            assert changed == 204, f"password change of {login}: {changed} {why}"
            # A session made through one server is good on the others.
            _, s = call(server_then.base, "POST", "/sessions",
                        {"id": login, "password": NEW_PASSWORD})
            assert isinstance(s, dict) and "token" in s, f"login {login}: {s}"
            return s["token"]

        desk = staff("mot-cua.p2", a, b)
        district = staff("mot-cua.tp", b, c)
        admin = staff("quan-tri.he-thong", c, a)
        status, _ = call(c.base, "GET", "/queue", token=desk)
        check(status == 200, "a session made through one server is accepted by another")

        # --- the load: submissions through all three servers.
        ledger = Ledger()
        citizens = []
        for k in range((online + 14) // 15):
            srv = spread(servers, k)
            call(srv.base, "POST", "/accounts", {"id": f"cum-{k}", "name": "Lâm Thị Cúc",
                                                 "password": "song-hau-phu-sa-42"})
            _, s = call(spread(servers, k + 1).base, "POST", "/sessions",
                        {"id": f"cum-{k}", "password": "song-hau-phu-sa-42"})
            citizens.append(s["token"])

        def submit(n):
            phone = REFUSED_PHONE if n == 7 else f"09{n:08d}"
            status, answer, _ = command(servers, n, ledger, "/dossiers", {
                "procedure": "1.001193", "agency": COMMUNE,
                "applicant": {"name": "Lâm Thị Cúc", "email": f"cuc{n}@example.vn",
                              "phone": phone},
                "form": {"ten_tre": "Lâm Minh Khôi", "ngay_sinh": "01/12/2026"},
                "components": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]},
                citizens[n // 15])
            if status == 201:
                with ledger.lock:
                    ledger.submitted.append(answer["id"])
            else:
                print(f"submission {n}: {status} {answer}", flush=True)

        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            list(pool.map(submit, range(online)))
        check(len(ledger.submitted) == online, f"{len(ledger.submitted)} of {online} submissions acknowledged")

        # --- acceptances and supplement requests through all three, the desk at the same
        # time; B killed a third of the way through.
        killed = {"at": None, "leased": 0}
        done = {"n": 0}

        def accept(item):
            n, dossier = item
            status, answer, unanswered = command(servers, n, ledger,
                                                 f"/dossiers/{dossier}/commands",
                                                 {"command": "accept"}, desk)
            if status == 200 or (unanswered and status == 422):
                # 422 after an unanswered attempt: that attempt committed before the kill.
                with ledger.lock:
                    if status == 200:
                        ledger.accepted.add(dossier)
                    else:
                        ledger.retried += 1
            else:
                print(f"accept {dossier}: {status} {answer}", flush=True)
                return
            if n % 3 == 0:
                status, answer, _ = command(servers, n + 1, ledger, f"/dossiers/{dossier}/commands", {
                    "command": "request-supplement", "reason": "Giấy chứng sinh chưa rõ",
                    "items": ["Giấy chứng sinh (bản chính)"]}, desk)
                if status == 200:
                    with ledger.lock:
                        ledger.supplement.add(dossier)
            with ledger.lock:
                done["n"] += 1

        def register(n):
            status, answer, _ = command(servers, n, ledger, "/dossiers", {
                "procedure": "HKD-DK-THANH-LAP", "agency": DISTRICT, "channel": "direct",
                "applicant": {"name": "Hộ kinh doanh Phù Sa"}}, district)
            if status != 201:
                print(f"registration {n}: {status} {answer}", flush=True)
                return
            dossier = answer["id"]
            with ledger.lock:
                ledger.registered.append(dossier)
            status, answer, unanswered = command(servers, n + 1, ledger,
                                                 f"/dossiers/{dossier}/commands",
                                                 {"command": "accept"}, district)
            if status == 200:
                with ledger.lock:
                    ledger.accepted.add(dossier)
            elif not (unanswered and status == 422):
                print(f"accept {dossier}: {status} {answer}", flush=True)

        def killer():
            # B: killed a third of the way through the acceptances, with requests in flight.
            while done["n"] < len(ledger.submitted) // 3:
                time.sleep(0.02)
            b.proc.send_signal(signal.SIGKILL)
            b.proc.wait()
            time.sleep(1)
            b.start()
            # C: killed while its worker holds deliveries it has not sent yet.
            holding = f"SELECT count(*) FROM deliveries WHERE state = 'pending' " \
                      f"AND leased_by = '{c.worker}' AND lease_until IS NOT NULL"
            until = time.time() + 60
            while time.time() < until and int(sql(database, holding)[0][0]) == 0:
                time.sleep(0.01)
            c.proc.send_signal(signal.SIGKILL)
            c.proc.wait()
            killed["leased"] = int(sql(database, holding)[0][0])
            killed["worker"] = c.worker
            time.sleep(1)
            c.start()

        kill_thread = threading.Thread(target=killer)
        kill_thread.start()
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            jobs = [pool.submit(accept, (n, d)) for n, d in enumerate(ledger.submitted)]
            jobs += [pool.submit(register, n) for n in range(args.desk)]
            for j in jobs:
                j.result()
        kill_thread.join()
        print(f"server B killed mid-load: {ledger.lost} requests went unanswered, "
              f"{ledger.retried} acceptances had committed without an answer; server C killed "
              f"with {killed['leased']} deliveries leased by its worker {killed['worker']}",
              flush=True)
        check(ledger.lost > 0, "server B was killed with requests in flight")
        check(killed["leased"] > 0, "server C was killed while its worker held leased deliveries")

        # --- a login throttle tripped through one server holds on the others.
        for _ in range(6):
            call(a.base, "POST", "/sessions", {"id": "chu-tich.p2", "password": "sai-mat-khau"})
        held = [call(s.base, "POST", "/sessions",
                     {"id": "chu-tich.p2", "password": once["chu-tich.p2"]})[0] for s in (b, c)]
        check(held == [429, 429], f"a login throttled through A is held on B and C ({held})")

        # --- a procedure published through one server is served by the others within 2 s.
        source = open(os.path.join(HERE, "examples/procedures/khai-sinh.toml")).read()
        source = re.sub(r'(?m)^version = ".*"$', 'version = "2026.12"', source, count=1)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        headers = {"cookie": f"motcua_session={admin}"}
        page = opener.open(urllib.request.Request(a.base + "/can-bo/thu-tuc", headers=headers)).read().decode()
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"csrf": csrf, "noi-dung": source}).encode()
        published = opener.open(urllib.request.Request(a.base + "/can-bo/thu-tuc/cong-bo", data=form,
                                                       headers=headers))
        t0 = time.time()
        check(published.status == 200 and "da-cong-bo" in published.url,
              f"version 2026.12 of 1.001193 published through A ({published.status} {published.url})")
        seen = {}
        while time.time() - t0 < 10 and len(seen) < 2:
            for s in (b, c):
                if s.name not in seen:
                    _, p = call(s.base, "GET", "/procedures/1.001193")
                    if isinstance(p, dict) and json.dumps(p).find('"2026.12"') >= 0:
                        seen[s.name] = time.time() - t0
            time.sleep(0.05)
        check(len(seen) == 2 and max(seen.values()) <= 2.0,
              "served by B and C within 2 s (" + ", ".join(f"{k} {v:.2f} s" for k, v in sorted(seen.items())) + ")")

        # --- wait for the outbox to drain (the killed worker's leases end after 30 s, the
        # gateway's 500s are retried after 30 s ± 25 %).
        deadline = time.time() + 150
        while time.time() < deadline:
            undispatched = int(sql(database, "SELECT count(*) FROM outbox WHERE dispatched_at IS NULL")[0][0])
            pending = int(sql(database, "SELECT count(*) FROM deliveries WHERE state = 'pending'")[0][0])
            if undispatched == 0 and pending == 0:
                break
            time.sleep(1)
        check(undispatched == 0 and pending == 0,
              f"the outbox drained ({undispatched} not dispatched, {pending} pending)")

        # --- every acknowledged command is in the database.
        rows = dict((r[0], r[1:]) for r in sql(database, "SELECT id, state, code FROM dossiers"))
        missing = [d for d in ledger.submitted + ledger.registered if d not in rows]
        check(not missing, f"every acknowledged submission and registration is stored ({len(missing)} missing)")
        not_accepted = [d for d in ledger.accepted if not rows.get(d, ["", ""])[1]]
        check(not not_accepted, f"every acknowledged acceptance ({len(ledger.accepted)}) has its code "
              f"({len(not_accepted)} without)")
        kinds = collections.Counter(
            json.loads(r[0]).get("type", "?") for r in sql(database, "SELECT event FROM events"))
        no_supplement = [d for d in ledger.supplement if rows[d][0] != "awaiting-supplement"]
        check(not no_supplement, f"every acknowledged supplement request is recorded ({len(no_supplement)} not)")
        print(f"events by kind: {dict(kinds)}", flush=True)
        verify = subprocess.run([args.motcua, "verify", "--database", database],
                                capture_output=True, text=True)
        said = (verify.stdout.strip().splitlines() or [verify.stderr.strip()])[-1]
        check(verify.returncode == 0, f"motcua verify: every dossier's event chain holds ({said})")

        # --- codes gapless per agency and day.
        codes = collections.defaultdict(list)
        for (code,) in sql(database, "SELECT code FROM dossiers WHERE code IS NOT NULL"):
            prefix, n = code.rsplit("-", 1)
            codes[prefix].append(int(n))
        gaps = {p: sorted(set(range(1, max(ns) + 1)) - set(ns)) for p, ns in codes.items()}
        twice = {p: [n for n, k in collections.Counter(ns).items() if k > 1] for p, ns in codes.items()}
        check(all(not g for g in gaps.values()) and all(not t for t in twice.values()),
              "codes are gapless per agency and day: " + ", ".join(
                  f"{p} 1..{max(ns)}" for p, ns in sorted(codes.items())))

        # --- deliveries: SMS exactly once at the gateway, mail at most once more per kill.
        deliveries = sql(database, "SELECT id, channel, state, idempotency_key, recipient FROM deliveries")
        by_state = collections.Counter((d[1], d[2]) for d in deliveries)
        print(f"deliveries by channel and state: {dict(by_state)}", flush=True)
        sms_sent = [d for d in deliveries if d[1] == "sms" and d[2] == "sent"]
        sms_dead = [d for d in deliveries if d[1] == "sms" and d[2] == "dead"]
        with Gateway.lock:
            sent = dict(Gateway.sent)
            repeats = sum(Gateway.repeats.values())
            scripted = len(Gateway.failed_once)
        check(all(sent.get(d[3]) == 1 for d in sms_sent) and len(sent) == len(sms_sent),
              f"{len(sms_sent)} SMS delivered, each exactly once at the gateway "
              f"({len(sent)} keys sent; {repeats} repeated requests answered without sending; "
              f"{scripted} scripted HTTP 500s retried)")
        check(len(sms_dead) >= 1 and all(d[4] == REFUSED_PHONE for d in sms_dead),
              f"the SMS the gateway refused are dead letters ({len(sms_dead)}, to {REFUSED_PHONE})")
        mail_sent = [d for d in deliveries if d[1] == "email" and d[2] == "sent"]
        with mailbox.lock:
            ids = collections.Counter(m[0] for m in mailbox.messages)
        expected = {f"<{d[3].replace(':', '.')}@motcua>" for d in mail_sent}
        extra = sum(k - 1 for k in ids.values() if k > 1)
        check(expected == set(ids) and extra <= 2,
              f"{len(mail_sent)} mails delivered: every one at the SMTP server, "
              f"{extra} sent once more after a kill (at most 1 per kill allowed)")
        dead_mail = [d for d in deliveries if d[1] == "email" and d[2] == "dead"]
        check(not dead_mail, f"no mail in the dead letters ({len(dead_mail)})")
        status, listed = call(a.base, "GET", "/deliveries?state=dead", token=admin)
        check(status == 200 and isinstance(listed, list) and len(listed) == len(sms_dead),
              "the dead letters are listed for the administrator")

        # --- one runner of the alert job.
        runners = set()
        for s in servers:
            runners |= set(re.findall(r"running the alerts job worker=(\S+)", s.logs()))
        holder = sql(database, "SELECT holder FROM job_leases WHERE name = 'alerts'")
        check(len(runners) == 1 and holder and holder[0][0] in runners,
              f"the alert job ran on one server only ({sorted(runners)}; lease held by {holder})")
    finally:
        for s in servers:
            s.stop()
        controller.stop()
        gateway.shutdown()
        try:
            sql(args.pg, f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
        except subprocess.CalledProcessError:
            pass
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed; the servers' logs are in {work}")
        return 1
    print(f"all checks passed; the servers' logs are in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
