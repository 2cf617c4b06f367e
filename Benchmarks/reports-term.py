#!/usr/bin/env python3
"""The reports' answer time for a term, end to end, against a real relayd (#33).

A term of facts (20 weeks x 50 classes meeting twice a week x 10 sites each: ~2 000 occurrences,
one in ten never published, one in five with a drop and a return, 7 in 8 site slots watched, a
quarter of those by a second player at once: ~22 000 sessions) is put into relayd's database:
schools, pairings and classes through the REST API, the sessions straight into report_sessions
(what relayd's FactsRecorder writes). Then the reports are asked over HTTP as the console asks
them, three times each, and the wall-clock answer times printed (curl-like: request sent to
last byte read).

    python3 Benchmarks/reports-term.py --relayd .build/release/relayd --store sqlite
    python3 Benchmarks/reports-term.py --relayd .build/release/relayd --store postgres

PostgreSQL is started by the script (initdb + pg_ctl into a temp directory, as the postgres
user when run as root), like the tests' PostgresServer.
"""
import argparse, glob, json, os, random, re, shutil, sqlite3, subprocess, sys, tempfile, time
import urllib.request
from datetime import datetime

from relayd_process import TOKEN, Relayd, free_port

def as_postgres(cmd):
    return ["runuser", "-u", "postgres", "--"] + cmd if os.geteuid() == 0 else cmd


class Postgres:
    def __init__(self, root):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not bins:
            sys.exit("no PostgreSQL server (apt-get install postgresql)")
        self.bin = os.path.dirname(bins[-1])
        self.dir = os.path.join(root, "pg")
        os.makedirs(self.dir)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.port = free_port()
        subprocess.run(as_postgres([f"{self.bin}/initdb", "-D", f"{self.dir}/data", "-A", "trust", "-U", "postgres", "--no-sync"]),
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(as_postgres([f"{self.bin}/pg_ctl", "-D", f"{self.dir}/data", "-w", "-l", f"{self.dir}/log",
                                    "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"]
                                   + ["start"]), check=True, stdout=subprocess.DEVNULL)
        self.psql(["-c", "CREATE DATABASE relay"], db="postgres")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/relay"

    def psql(self, args, db="relay", stdin=None):
        return subprocess.run(as_postgres(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", db, "-q",
                                           "-v", "ON_ERROR_STOP=1"] + args), check=True, input=stdin, text=True,
                              capture_output=True).stdout

    def stop(self):
        subprocess.run(as_postgres([f"{self.bin}/pg_ctl", "-D", f"{self.dir}/data", "-m", "immediate", "-w", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def build_term(relayd):
    """Schools, pairings and 50 weekly classes through the API; the term's occurrences from /timetable."""
    for c in range(10):
        relayd.call("POST", "/schools", {"id": f"c{c}", "name": f"中心学校{c}", "role": "central"})
    for s in range(100):
        relayd.call("POST", "/schools", {"id": f"s{s}", "name": f"教学点{s}", "role": "site", "bandwidthKbps": 4000})
    days = [["mon", "wed"], ["tue", "thu"], ["wed", "fri"], ["mon", "thu"], ["tue", "fri"]]
    programs = ["dedicated", "master-teacher", "famous-school"]
    paired = set()
    for k in range(50):
        central, program = f"c{k % 10}", programs[k % 3]
        sites = [f"s{(k * 10 + i) % 100}" for i in range(10)]
        for site in sites:
            if (central, site, program) not in paired:
                relayd.call("POST", "/pairings", {"centralSchoolId": central, "siteId": site, "program": program})
                paired.add((central, site, program))
        # 08:00 .. 12:00 Beijing time, 45 minutes: the classes of one central school (and of one
        # block of sites, k % 10) each at their own hour, so none overlaps another.
        hour = 8 + k // 10
        start = f"2026-08-31T{hour:02d}:00:00+08:00"
        end = f"2026-08-31T{hour:02d}:45:00+08:00"
        relayd.call("POST", "/classes", {
            "id": f"class-{k}", "title": f"课程 {k}", "program": program, "centralSchoolId": central, "teacher": f"老师{k}",
            "subject": "数学", "startsAt": start, "endsAt": end, "siteIds": sites,
            "recurrence": {"weekly": days[k % 5], "until": "2027-01-17"}})
    frm, to = "2026-08-31T00:00:00+08:00", "2027-01-18T00:00:00+08:00"
    timetable = json.loads(relayd.call("GET", f"/timetable?from={frm}&to={to}"))
    return timetable, frm, to


def facts(timetable, seed=33):
    rng = random.Random(seed)
    rows = []
    for o in timetable:
        start = int(datetime.fromisoformat(o["startsAt"].replace("Z", "+00:00")).timestamp() * 1000)
        if rng.randrange(10) == 0:
            continue  # not held

        def fact(kind, site, a, b, transport="rtmp"):
            rows.append((f"f{len(rows)}", "n1", kind, o["classId"], start, site, transport, start + int(a * 1000),
                         start + int(b * 1000), 1, 50_000_000, rng.randrange(3),
                         f"360p={int((b - a) * 300)},480p={int((b - a) * 700)}"))
        delay = rng.randrange(180)
        if rng.randrange(5) == 0:
            fact("publisher", None, delay, 1200)
            fact("publisher", None, 1230, 2700)
        else:
            fact("publisher", None, delay, 2700)
        for site in o["siteIds"]:
            if rng.randrange(8) == 0:
                continue
            join = rng.randrange(600)
            fact("player", site, join, 2700 - rng.randrange(300))
            if rng.randrange(4) == 0:
                fact("player", site, join + 60, 2000, "srt")
    return rows


COLUMNS = "id, node_id, kind, class_id, occurrence_starts_at, site_id, protocol, started_at, last_seen_at, ended, bytes, stalls, renditions"


def insert_sqlite(path, rows):
    db = sqlite3.connect(path, timeout=30)
    db.executemany(f"INSERT INTO report_sessions ({COLUMNS}) VALUES ({', '.join('?' * 13)})", rows)
    db.commit()
    db.close()


def insert_postgres(pg, rows):
    def cell(v):
        return "\\N" if v is None else str(v)
    text = "\n".join("\t".join(cell(v) for v in r) for r in rows) + "\n\\.\n"
    pg.psql(["-c", f"COPY report_sessions ({COLUMNS}) FROM STDIN"], stdin=text)


def timed(relayd, path, accept="application/json"):
    began = time.perf_counter()
    body = relayd.call("GET", path, accept=accept)
    return time.perf_counter() - began, len(body), body


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relayd", default=".build/release/relayd")
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="reports-term-")
    if os.geteuid() == 0:
        os.chmod(root, 0o755)
    pg = Postgres(root) if args.store == "postgres" else None
    database = pg.url if pg else "sqlite:" + os.path.join(root, "var", "relay.db")
    relayd = Relayd(os.path.abspath(args.relayd), root, database, "timeZone: Asia/Shanghai\nreports:\n  enabled: true\n")
    try:
        timetable, frm, to = build_term(relayd)
        rows = facts(timetable)
        began = time.perf_counter()
        insert_postgres(pg, rows) if pg else insert_sqlite(database[len("sqlite:"):], rows)
        print(f"{args.store}: {len(timetable)} occurrences, {len(rows)} sessions (inserted in {time.perf_counter() - began:.1f} s)")
        q = f"from={frm[:10]}&to=2027-01-17"
        for r in range(args.rounds):
            t_json, n_json, body = timed(relayd, f"/reports/occurrences?{q}")
            reports = json.loads(body)
            assert len(reports) == len(timetable), (len(reports), len(timetable))
            t_csv, n_csv, _ = timed(relayd, f"/reports/occurrences?{q}&format=csv", accept="text/csv")
            t_week, _, _ = timed(relayd, f"/reports/summary?{q}&groupBy=week")
            t_school, _, _ = timed(relayd, f"/reports/summary?{q}&groupBy=school")
            t_site, _, _ = timed(relayd, f"/reports/occurrences?{q}&schoolId=s7")
            print(f"round {r + 1}: occurrences JSON {t_json:.2f} s ({n_json // 1024} KiB), CSV {t_csv:.2f} s ({n_csv // 1024} KiB), "
                  f"summary by week {t_week:.2f} s, by school {t_school:.2f} s, one site's occurrences {t_site:.2f} s")
    finally:
        relayd.stop()
        if pg:
            pg.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
