#!/usr/bin/env python3
"""Cross-checks `motcua` against independent implementations on thousands of random cases.

* Lunar dates: `motcua calendar lunar` and `motcua calendar solar` against the Python package
  `vnlunar` (astronomical algorithm at UTC+7), random days 1900-2100.
* Deadlines: `motcua deadline --batch` against a separate Python implementation written here
  from DOMAIN.md section 5 (earliest-instant semantics, walking working windows) over the
  working days of the Python package `holidays` (country VN: announced swaps and make-up
  Saturdays included), random starts 2019-2030, units m, wh, wd and cd.

Usage: scripts/crosscheck.py [--motcua PATH] [--cases N] [--seed S]
Needs: pip install holidays==0.109 vnlunar==1.0.5
Exit status 0 when everything agrees, 1 otherwise (the first disagreements are printed).
"""
import argparse
import datetime as dt
import json
import random
import subprocess
import sys

import holidays
import vnlunar

TZ = dt.timezone(dt.timedelta(hours=7))
WINDOWS = [(dt.time(7, 0), dt.time(11, 30)), (dt.time(13, 30), dt.time(17, 0))]


def run(motcua, *args, stdin=None):
    return subprocess.run([motcua, *args], input=stdin, capture_output=True, text=True, check=True).stdout


def check_lunar(motcua, rng, cases):
    bad = 0
    start, end = dt.date(1900, 1, 1).toordinal(), dt.date(2100, 12, 31).toordinal()
    for _ in range(cases):
        d = dt.date.fromordinal(rng.randint(start, end))
        want = vnlunar.convert_solar_to_lunar(d.day, d.month, d.year, 7.0)
        got = json.loads(run(motcua, "calendar", "lunar", d.isoformat()))
        exp = {"year": want["year"], "month": want["month"], "day": want["day"], "leap": bool(want["leap"])}
        if got != exp:
            bad += 1
            if bad <= 5:
                print(f"lunar {d}: motcua {got}, vnlunar {exp}")
        back = run(motcua, "calendar", "solar", str(got["year"]), str(got["month"]), str(got["day"]),
                   *(["--leap"] if got["leap"] else [])).strip()
        if back != d.isoformat():
            bad += 1
            if bad <= 5:
                print(f"solar {got}: motcua {back}, expected {d}")
    return bad


class Reference:
    """Deadlines by walking windows day by day over holidays.VN working days."""

    def __init__(self):
        self.h = holidays.VN(years=range(2018, 2036))

    def working(self, day):
        return self.h.is_working_day(day)

    def due(self, start, unit, n):
        local = start.astimezone(TZ).replace(tzinfo=None)
        if unit == "cd":
            end = local + dt.timedelta(days=n)
            if self.working(end.date()):
                return end
            day = end.date() + dt.timedelta(days=1)
            while not self.working(day):
                day += dt.timedelta(days=1)
            return dt.datetime.combine(day, WINDOWS[0][0])
        remaining = n * {"m": 60, "wh": 3600, "wd": 8 * 3600}[unit]
        if remaining == 0:
            return local
        day, since = local.date(), local.time()
        while True:
            if self.working(day):
                for a, b in WINDOWS:
                    a = max(a, since)
                    if a >= b:
                        continue
                    length = (dt.datetime.combine(day, b) - dt.datetime.combine(day, a)).total_seconds()
                    if remaining <= length:
                        return dt.datetime.combine(day, a) + dt.timedelta(seconds=remaining)
                    remaining -= length
            day += dt.timedelta(days=1)
            since = dt.time(0, 0)


def check_deadlines(motcua, rng, cases):
    ref = Reference()
    lo = dt.datetime(2019, 1, 1, tzinfo=TZ).timestamp()
    hi = dt.datetime(2030, 12, 31, 23, 59, tzinfo=TZ).timestamp()
    inputs = []
    for _ in range(cases):
        ts = rng.randrange(int(lo), int(hi))
        if rng.random() < 0.7:
            ts -= ts % 60
        start = dt.datetime.fromtimestamp(ts, TZ)
        unit = rng.choice(["m", "wh", "wd", "wd", "cd"])
        n = {"m": rng.randint(0, 2000), "wh": rng.randint(0, 80), "wd": rng.choice([1, 3, 5, 10, 15, 20, 30, 60, rng.randint(0, 90)]),
             "cd": rng.randint(0, 60)}[unit]
        inputs.append((start, unit, n))
    lines = "".join(json.dumps({"from": s.isoformat(), "add": f"{n}{u}"}) + "\n" for s, u, n in inputs)
    out = run(motcua, "deadline", "--batch", stdin=lines).splitlines()
    bad = 0
    if len(out) != len(inputs):
        print(f"batch answered {len(out)} lines for {len(inputs)} inputs")
        return 1
    for (start, unit, n), line in zip(inputs, out):
        got = json.loads(line).get("due")
        want = ref.due(start, unit, n).isoformat() + "+07:00"
        if got != want:
            bad += 1
            if bad <= 5:
                print(f"deadline {start.isoformat()} + {n}{unit}: motcua {got}, reference {want}")
    return bad


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--motcua", default="target/debug/motcua")
    p.add_argument("--cases", type=int, default=5000)
    p.add_argument("--seed", type=int, default=20261128)
    a = p.parse_args()
    rng = random.Random(a.seed)
    lunar_cases = max(1, a.cases // 5)
    bad_lunar = check_lunar(a.motcua, rng, lunar_cases)
    print(f"lunar: {lunar_cases} random days 1900-2100 (and back), {bad_lunar} disagreements with vnlunar")
    bad_due = check_deadlines(a.motcua, rng, a.cases)
    print(f"deadlines: {a.cases} random cases 2019-2030, {bad_due} disagreements with the reference")
    print(f"{2 * lunar_cases + a.cases - bad_lunar - bad_due} passed, {bad_lunar + bad_due} failed")
    sys.exit(1 if bad_lunar or bad_due else 0)


if __name__ == "__main__":
    main()
