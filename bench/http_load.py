# ruff: noqa: E501  (hand-written SQL reads best one clause a line)
"""HTTP load on the national dataset: every list and detail of issue 18 against its SQL floor.

    .venv/bin/python bench/http_load.py                  # mp_bench on the local PostgreSQL
    BENCH_DATABASE_URL=postgres://... .venv/bin/python bench/http_load.py --duration 8

One command: creates the database if missing, migrates it, generates the national dataset
(seed 1) unless it is there, starts gunicorn on loopback (sync workers, one per core), and
runs wrk (Debian's package: `apt-get install -y wrk`) for each page at a concurrency equal to
the workers and at 4x that, each run bounded by --duration seconds. For each page it also
counts the SQL queries in-process for a list of about 10 rows and one of about 1,000, and
times the hand-written SQL the page needs (its floor: the median of repeated runs of the same
statements over psycopg, no ORM, no rendering) to report p50/floor and p95/floor.

Writes bench/results/http_load.json and bench/results/http_load.md. Run on demand; never
part of the test suite. The machine's load average is recorded before and after: on a shared
machine the latencies include other people's work.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/mp_bench"

sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("MEGAPROJECT_VAR_DIR", tempfile.mkdtemp(prefix="megaproject-bench-"))
os.environ["DEBUG"] = "false"
os.environ.pop("REDIS_URL", None)  # the pages read no cache; notices are not sent here


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


ensure_database(os.environ["DATABASE_URL"])

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def prepare_dataset() -> None:
    from programs.dataset import PROGRAM_CODE
    from programs.models import Program

    call_command("migrate", verbosity=0)
    if not Program.objects.filter(code=PROGRAM_CODE).exists():
        call_command("generate_dataset", "--scale", "national", "--seed", "1")
    with connection.cursor() as cursor:
        # As autovacuum leaves a settled database: VACUUM also moves the trigram (GIN) indexes'
        # pending lists, which the bulk load filled, into the indexes; ANALYZE alone left every
        # search scanning them linearly.
        cursor.execute("VACUUM ANALYZE")


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def api_token(user) -> str:
    from knox.models import AuthToken

    _, token = AuthToken.objects.create(user=user)  # knox (config/settings/base.py REST_KNOX)
    return f"Token {token}"


def context() -> dict:
    """The users, ids and headers every page needs, from the generated dataset."""
    from django.db.models import Count

    from accounts.models import User
    from consortia.models import Application, Consortium
    from programs.dataset import PROGRAM_CODE
    from programs.models import Call, Track

    officer = User.objects.get(username="bench-officer")
    heavy = User.objects.get(username="bench-heavy")
    admin = User.objects.get(username="bench-admin")
    calls = list(Call.objects.filter(program__code=PROGRAM_CODE).order_by("-opens_at"))
    current = calls[0]
    app = Application.objects.filter(call=current, state="submitted").order_by("pk").first()
    many_members = Application.objects.filter(call=calls[1]).exclude(state="draft").order_by("pk").first()
    small_consortium = Consortium.objects.filter(contacts=heavy).order_by("pk").first()
    # A filter that leaves about 10 rows, for the query count "at 10 rows".
    groups = (
        Application.objects.filter(call__program__code=PROGRAM_CODE)
        .values("call_id", "track_id", "state")
        .annotate(n=Count("id"))
        .order_by("n")
    )
    ten = min(groups, key=lambda g: abs(g["n"] - 10))
    # The API filters by codes (call=2026-1, track=leap), the admin by ids.
    ten["call_code"] = Call.objects.get(pk=ten["call_id"]).code
    ten["track_code"] = Track.objects.get(pk=ten["track_id"]).code
    return {
        "officer": officer,
        "heavy": heavy,
        "admin": admin,
        "current_call": current.pk,
        "past_call": calls[1].pk,
        "past_call_code": calls[1].code,
        "app": app.pk,
        "app_past": many_members.pk,
        "heavy_consortium": small_consortium.pk,
        "ten": ten,
        "officer_cookie": session_cookie(officer),
        "heavy_cookie": session_cookie(heavy),
        "officer_token": api_token(officer),
        "heavy_token": api_token(heavy),
    }


def pages(ctx: dict) -> list[dict]:
    """Each page: its URL, who asks, the URLs that count queries at ~10 and ~1,000 rows, its floor SQL.

    The floor is the SQL the page cannot do without, written by hand: the rows it shows with
    their joined names, the count it prints, the child rows it lists. `%(officer)s` etc. are
    bound from ctx.
    """
    officer_scope = """
        (EXISTS (SELECT 1 FROM programs_program_officers po JOIN programs_call c2 ON c2.program_id = po.program_id
                 WHERE c2.id = a.call_id AND po.user_id = %(officer)s)
         OR EXISTS (SELECT 1 FROM consortia_consortium_contacts cc
                    WHERE cc.consortium_id = a.consortium_id AND cc.user_id = %(officer)s))"""
    list_sql = (
        """SELECT a.id, a.title, a.state, a.submitted_at, a.created_at, c.title, t.name, co.name, o.name, p.name
        FROM consortia_application a JOIN programs_call c ON c.id = a.call_id
        JOIN programs_track t ON t.id = a.track_id JOIN consortia_consortium co ON co.id = a.consortium_id
        JOIN consortia_organisation o ON o.id = co.representative_id JOIN programs_province p ON p.id = o.province_id
        WHERE """
        + officer_scope
        + " {extra} ORDER BY a.created_at DESC, a.id DESC LIMIT 50 OFFSET {offset}"
    )
    count_sql = "SELECT count(*) FROM consortia_application a WHERE " + officer_scope + " {extra}"
    leads_sql = (
        """SELECT lp.application_id, o.name, p.name FROM consortia_applicationleadprovince lp
        JOIN consortia_organisation o ON o.id = lp.organisation_id JOIN programs_province p ON p.id = lp.province_id
        WHERE lp.application_id IN (SELECT a.id FROM consortia_application a WHERE """
        + officer_scope
        + """
        {extra} ORDER BY a.created_at DESC, a.id DESC LIMIT 50 OFFSET {offset})"""
    )

    def app_list(extra: str = "", offset: int = 0) -> list[str]:
        return [s.format(extra=extra, offset=offset) for s in (list_sql, count_sql, leads_sql)]

    detail_sql = [
        """SELECT a.*, c.*, t.*, co.*, o.*, p.* FROM consortia_application a JOIN programs_call c ON c.id = a.call_id
        JOIN programs_track t ON t.id = a.track_id JOIN consortia_consortium co ON co.id = a.consortium_id
        JOIN consortia_organisation o ON o.id = co.representative_id JOIN programs_province p ON p.id = o.province_id
        WHERE a.id = %(app)s""",
        """SELECT m.*, o.name, p.name FROM consortia_consortiummember m JOIN consortia_organisation o ON o.id = m.organisation_id
        JOIN programs_province p ON p.id = o.province_id
        WHERE m.consortium_id = (SELECT consortium_id FROM consortia_application WHERE id = %(app)s)""",
        "SELECT * FROM consortia_budgetline WHERE application_id = %(app)s ORDER BY year, member_id",
        """SELECT ap.*, pe.name, pe.researcher_number FROM consortia_applicationperson ap
        JOIN consortia_person pe ON pe.id = ap.person_id WHERE ap.application_id = %(app)s""",
        "SELECT * FROM consortia_kpitarget WHERE application_id = %(app)s",
        "SELECT * FROM consortia_plannedmilestone WHERE application_id = %(app)s",
        "SELECT * FROM consortia_applicationdocument WHERE application_id = %(app)s",
        """SELECT e.*, u.name FROM consortia_applicationevent e JOIN accounts_user u ON u.id = e.actor_id
        WHERE e.application_id = %(app)s""",
        "SELECT * FROM consortia_applicationleadprovince WHERE application_id = %(app)s",
    ]
    check_sql = detail_sql[:4] + [
        # The slot rule: other slot holders' lead governments in the same track.
        """SELECT DISTINCT o.province_id, co.name FROM consortia_consortiummember m
        JOIN consortia_organisation o ON o.id = m.organisation_id JOIN consortia_consortium co ON co.id = m.consortium_id
        JOIN consortia_application a ON a.consortium_id = co.id
        WHERE m.role = 'lead_government' AND a.track_id = (SELECT track_id FROM consortia_application WHERE id = %(app)s)
        AND a.state IN ('submitted', 'screening', 'under_review', 'selected') AND a.id <> %(app)s""",
        # 3책5공: the other slot-holding applications of its researchers.
        """SELECT ap.person_id, ap.role, a.title FROM consortia_applicationperson ap
        JOIN consortia_application a ON a.id = ap.application_id
        WHERE ap.person_id IN (SELECT person_id FROM consortia_applicationperson WHERE application_id = %(app)s)
        AND a.state IN ('submitted', 'screening', 'under_review', 'selected') AND a.id <> %(app)s""",
        """SELECT * FROM consortia_declaredproject WHERE person_id IN
        (SELECT person_id FROM consortia_applicationperson WHERE application_id = %(app)s)""",
    ]
    consortium_list = [
        """SELECT co.*, o.name, p.name FROM consortia_consortium co JOIN consortia_organisation o ON o.id = co.representative_id
        JOIN programs_province p ON p.id = o.province_id
        WHERE EXISTS (SELECT 1 FROM consortia_consortium_contacts cc WHERE cc.consortium_id = co.id AND cc.user_id = %(heavy)s)
        ORDER BY co.name LIMIT 50""",
        """SELECT count(*) FROM consortia_consortium_contacts WHERE user_id = %(heavy)s""",
        """SELECT m.*, o.name, p.name FROM consortia_consortiummember m JOIN consortia_organisation o ON o.id = m.organisation_id
        JOIN programs_province p ON p.id = o.province_id WHERE m.consortium_id IN
        (SELECT consortium_id FROM consortia_consortium_contacts WHERE user_id = %(heavy)s)""",
    ]
    org_search = [
        """SELECT o.*, p.name FROM consortia_organisation o JOIN programs_province p ON p.id = o.province_id
        WHERE UPPER(o.name) LIKE '%%바이오%%' OR UPPER(o.name_en) LIKE '%%바이오%%' ORDER BY o.name, o.id LIMIT 50""",
        """SELECT count(*) FROM consortia_organisation o WHERE UPPER(o.name) LIKE '%%바이오%%' OR UPPER(o.name_en) LIKE '%%바이오%%'""",
    ]
    my_page = [
        consortium_list[0].replace("LIMIT 50", "LIMIT 20"),
        """SELECT a.id, a.title, a.state, c.title, t.name FROM consortia_application a JOIN programs_call c ON c.id = a.call_id
        JOIN programs_track t ON t.id = a.track_id WHERE a.consortium_id IN
        (SELECT consortium_id FROM consortia_consortium_contacts WHERE user_id = %(heavy)s)
        ORDER BY a.created_at DESC LIMIT 20""",
        """SELECT application_id, year, sum(national_krw), sum(local_cash_krw), sum(private_cash_krw), sum(private_in_kind_krw)
        FROM consortia_budgetline WHERE application_id IN (SELECT a.id FROM consortia_application a WHERE a.consortium_id IN
        (SELECT consortium_id FROM consortia_consortium_contacts WHERE user_id = %(heavy)s)
        ORDER BY a.created_at DESC LIMIT 20) GROUP BY application_id, year""",
    ]
    open_calls = [
        "SELECT * FROM programs_call WHERE opens_at <= now() AND closes_at > now() ORDER BY closes_at",
        "SELECT * FROM programs_track WHERE call_id IN (SELECT id FROM programs_call WHERE closes_at > now())",
        "SELECT * FROM programs_matchingrule WHERE call_id IN (SELECT id FROM programs_call WHERE closes_at > now())",
        """SELECT r.*, rp.province_id FROM programs_region r JOIN programs_call_eligible_regions er ON er.region_id = r.id
        JOIN programs_region_provinces rp ON rp.region_id = r.id
        WHERE er.call_id IN (SELECT id FROM programs_call WHERE closes_at > now())""",
    ]
    admin_search = app_list(
        """AND (UPPER(a.title) LIKE '%%바이오%%' OR EXISTS (SELECT 1 FROM consortia_consortium co2 WHERE co2.id = a.consortium_id
        AND UPPER(co2.name) LIKE '%%바이오%%') OR EXISTS (SELECT 1 FROM consortia_consortiummember m2
        JOIN consortia_organisation o2 ON o2.id = m2.organisation_id WHERE m2.consortium_id = a.consortium_id
        AND UPPER(o2.name) LIKE '%%바이오%%'))"""
    )
    admin_orgs = [
        """SELECT o.*, p.name FROM consortia_organisation o JOIN programs_province p ON p.id = o.province_id
        WHERE EXISTS (SELECT 1 FROM consortia_consortiummember m JOIN consortia_application a ON a.consortium_id = m.consortium_id
        JOIN programs_call c ON c.id = a.call_id JOIN programs_program_officers po ON po.program_id = c.program_id
        WHERE m.organisation_id = o.id AND po.user_id = %(officer)s) ORDER BY o.name DESC, o.id DESC LIMIT 100""",
    ]
    past = ctx["past_call"]
    officer = ("officer_token", "api")
    return [
        {
            "name": "officer list (API)",
            "url": "/api/applications/",
            "auth": officer,
            "q10": "/api/applications/?call={call_code}&track={track_code}&state={state}".format(
                **ctx["ten"]
            ),
            "q1000": "/api/applications/",
            "floor": app_list(),
        },
        {
            "name": "officer list, filtered",
            "url": f"/api/applications/?call={ctx['past_call_code']}&state=not_selected",
            "auth": officer,
            "floor": app_list(f"AND a.call_id = {past} AND a.state = 'not_selected'"),
        },
        {
            "name": "officer list, page 100",
            "url": "/api/applications/?page=100",
            "auth": officer,
            "floor": app_list(offset=4950),
        },
        {
            "name": "application detail (API)",
            "url": f"/api/applications/{ctx['app']}/",
            "auth": officer,
            "floor": detail_sql,
        },
        {
            "name": "application /check/",
            "url": f"/api/applications/{ctx['app']}/check/",
            "auth": officer,
            "floor": check_sql,
        },
        {
            "name": "consortium list (API, heavy contact)",
            "url": "/api/consortia/",
            "auth": ("heavy_token", "api"),
            "floor": consortium_list,
        },
        {
            "name": "organisation search (API)",
            "url": "/api/organisations/?q=%EB%B0%94%EC%9D%B4%EC%98%A4",
            "auth": officer,
            "floor": org_search,
        },
        {
            "name": "/my/ (heavy contact)",
            "url": "/my/",
            "auth": ("heavy_cookie", "session"),
            "floor": my_page,
        },
        {"name": "open calls page", "url": "/calls/", "auth": None, "floor": open_calls},
        {
            "name": "admin application list",
            "url": "/admin/consortia/application/",
            "auth": ("officer_cookie", "session"),
            "q10": "/admin/consortia/application/?call__id__exact={call_id}&track__id__exact={track_id}"
            "&state__exact={state}".format(**ctx["ten"]),
            "q1000": "/admin/consortia/application/",
            "floor": [s.replace("LIMIT 50", "LIMIT 100") for s in app_list()],
        },
        {
            "name": "admin application list, filtered",
            "url": f"/admin/consortia/application/?call__id__exact={past}&state__exact=not_selected",
            "auth": ("officer_cookie", "session"),
            "floor": [
                s.replace("LIMIT 50", "LIMIT 100")
                for s in app_list(f"AND a.call_id = {past} AND a.state = 'not_selected'")
            ],
        },
        {
            "name": "admin application search",
            "url": "/admin/consortia/application/?q=%EB%B0%94%EC%9D%B4%EC%98%A4",
            "auth": ("officer_cookie", "session"),
            "floor": [s.replace("LIMIT 50", "LIMIT 100") for s in admin_search],
        },
        {
            "name": "admin application change page",
            "url": f"/admin/consortia/application/{ctx['app_past']}/change/",
            "auth": ("officer_cookie", "session"),
            "floor": [s.replace("%(app)s", "%(app_past)s") for s in detail_sql],
        },
        {
            "name": "admin organisation list",
            "url": "/admin/consortia/organisation/",
            "auth": ("officer_cookie", "session"),
            "floor": admin_orgs,
        },
    ]


# -- measurements ---------------------------------------------------------------------------


def floor_ms(statements: list[str], params: dict, runs: int = 15) -> float:
    """The median time of running the page's statements once each, over psycopg (no ORM)."""
    import psycopg

    times = []
    # As the app's connections (config/settings/base.py): no JIT.
    with psycopg.connect(os.environ["DATABASE_URL"], options="-c jit=off") as conn:
        for _ in range(runs + 2):
            started = time.perf_counter()
            for sql in statements:
                conn.execute(sql % {k: int(v) for k, v in params.items()}).fetchall()
            times.append((time.perf_counter() - started) * 1000)
            conn.rollback()
    return statistics.median(times[2:])


LAST_SECONDS = [0.0]


def count_queries(url: str, user) -> tuple[int, int]:
    """(queries, rows listed) for one request in-process."""
    client = Client()
    if user is not None:
        client.force_login(user)
    client.get(url, HTTP_HOST="127.0.0.1")  # warm: imports, templates, caches
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, HTTP_HOST="127.0.0.1")
    LAST_SECONDS[0] = time.perf_counter() - started
    rows = -1
    if response.get("Content-Type", "").startswith("application/json"):
        body = response.json()
        rows = body.get("count", len(body.get("results", []))) if isinstance(body, dict) else len(body)
    elif response.context_data if hasattr(response, "context_data") else False:
        cl = response.context_data.get("cl")
        rows = getattr(cl, "result_count", -1) if cl is not None else -1
        rows = rows if type(rows) is int else str(rows)  # a bounded count: "1000+"
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries), rows


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(workers: int, port: int) -> subprocess.Popen:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    proc = subprocess.Popen(
        [
            gunicorn,
            "config.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return proc
        except OSError:
            time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGTERM)
    raise RuntimeError("gunicorn did not start")


def drain(port: int) -> None:
    """Waits until gunicorn has answered the requests wrk left queued when it stopped: otherwise
    the next run's first requests wait behind them (a slow page at 4x made the next one look dead)."""
    for _ in range(4):  # one request per worker and some: each waits behind the backlog
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=120)
        except OSError:
            time.sleep(1)


def run_wrk(url: str, headers: list[str], connections: int, duration: int) -> dict:
    cmd = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{duration}s", "--timeout", "10s"]
    cmd += ["-s", str(ROOT / "bench" / "wrk_report.lua")]
    for h in headers:
        cmd += ["-H", h]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=duration + 30).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK_JSON "))
    data = json.loads(line.removeprefix("WRK_JSON "))
    data["rps"] = round(data["requests"] / (data["duration_us"] / 1e6), 1)
    data["errors"] = sum(v for k, v in data.items() if k.startswith("errors_"))
    return data


def measure_export() -> dict:
    """The xlsx export of every application of the program, in a child process: its time and the
    process's peak resident memory above what it held before the export (ru_maxrss)."""
    out = subprocess.run(
        [sys.executable, __file__, "--export-only"],
        capture_output=True,
        text=True,
        timeout=1800,
        env=os.environ,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def export_only() -> None:
    import resource

    from consortia.exports import write_applications_xlsx
    from consortia.models import Application
    from programs.dataset import PROGRAM_CODE

    ids = list(
        Application.objects.filter(call__program__code=PROGRAM_CODE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    path = Path(tempfile.mkdtemp(prefix="megaproject-export-")) / "applications.xlsx"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    count = write_applications_xlsx(ids, path)  # what the export task writes, streamed in chunks
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = path.stat().st_size
    path.unlink()
    print(
        json.dumps(
            {
                "applications": count,
                "seconds": round(seconds, 2),
                "peak_mb": round(peak - before, 1),
                "rss_before_mb": round(before, 1),
                "bytes": size,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--only", help="run only pages whose name contains this")
    parser.add_argument("--export-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--floors-only",
        action="store_true",
        help="time the floors again and rewrite the ratios of the last run",
    )
    parser.add_argument(
        "--no-export", action="store_true", help="skip the export measurement (keep the last one's)"
    )
    args = parser.parse_args()
    if args.export_only:
        export_only()
        return
    if args.floors_only:
        refloor()
        return
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")

    prepare_dataset()
    ctx = context()
    params = {
        "officer": ctx["officer"].pk,
        "heavy": ctx["heavy"].pk,
        "app": ctx["app"],
        "app_past": ctx["app_past"],
    }
    selected = [p for p in pages(ctx) if not args.only or args.only in p["name"]]
    load_before = os.getloadavg()
    results = []
    for page in selected:
        user = None
        if page["auth"]:
            user = ctx["heavy"] if page["auth"][0].startswith("heavy") else ctx["officer"]
        q10 = count_queries(page.get("q10", page["url"]), user)
        q1000 = count_queries(page.get("q1000", page["url"]), user)
        count_queries(page["url"], user)
        # A slow page gets a longer run, so that every connection completes a few requests.
        page["duration"] = max(args.duration, min(30, round(8 * LAST_SECONDS[0])))
        results.append(
            {
                "name": page["name"],
                "url": page["url"],
                "queries_few": q10[0],
                "rows_few": q10[1],
                "queries_many": q1000[0],
                "rows_many": q1000[1],
                "floor_ms": round(floor_ms(page["floor"], params), 2),
                "runs": {},
            }
        )
    connection.close()

    port = free_port()
    proc = start_gunicorn(args.workers, port)
    try:
        for page, row in zip(selected, results, strict=True):
            headers = []
            if page["auth"]:
                key, kind = page["auth"]
                headers.append(f"Authorization: {ctx[key]}" if kind == "api" else f"Cookie: {ctx[key]}")
            url = f"http://127.0.0.1:{port}{page['url']}"
            run_wrk(url, headers, 1, 2)  # warm-up: workers import and connect
            for connections in (args.workers, 4 * args.workers):
                drain(port)
                run = run_wrk(url, headers, connections, page["duration"])
                run["duration_s"] = page["duration"]
                run["p50_over_floor"] = round(run["p50_ms"] / row["floor_ms"], 1) if row["floor_ms"] else None
                run["p95_over_floor"] = round(run["p95_ms"] / row["floor_ms"], 1) if row["floor_ms"] else None
                row["runs"][str(connections)] = run
                print(
                    f"{row['name']:40s} c={connections:2d} {run['rps']:7.1f}/s p50 {run['p50_ms']:7.1f} ms",
                    flush=True,
                )
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)

    export = None if args.no_export else measure_export()
    if args.no_export and (RESULTS / "http_load.json").exists():
        export = json.loads((RESULTS / "http_load.json").read_text()).get("export")  # the last one
    report = {
        "dataset": "national, seed 1 (programs/dataset.py)",
        "database": "PostgreSQL " + connection.cursor().connection.info.server_version.__str__(),
        "workers": args.workers,
        "concurrency": [args.workers, 4 * args.workers],
        "duration_s": args.duration,
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "pages": results,
        "export": export,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "http_load.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / "http_load.md").write_text(markdown(report))
    print(markdown(report))


def refloor() -> None:
    report = json.loads((RESULTS / "http_load.json").read_text())
    ctx = context()
    params = {
        "officer": ctx["officer"].pk,
        "heavy": ctx["heavy"].pk,
        "app": ctx["app"],
        "app_past": ctx["app_past"],
    }
    floors = {p["name"]: p["floor"] for p in pages(ctx)}
    for row in report["pages"]:
        row["floor_ms"] = round(floor_ms(floors[row["name"]], params), 2)
        for run in row["runs"].values():
            run["p50_over_floor"] = round(run["p50_ms"] / row["floor_ms"], 1)
            run["p95_over_floor"] = round(run["p95_ms"] / row["floor_ms"], 1)
    (RESULTS / "http_load.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / "http_load.md").write_text(markdown(report))
    print(markdown(report))


def markdown(report: dict) -> str:
    w, w4 = report["concurrency"]
    lines = [
        "# HTTP load on the national dataset",
        "",
        f"{report['database']}, gunicorn {report['workers']} sync workers on {report['cpus']} CPUs, "
        f"wrk {report['duration_s']} s per run (longer for slow pages: 8x their in-process time, "
        f"up to 30 s) at concurrency {w} and {w4}. "
        f"Load average before {report['load_average_before']}, after {report['load_average_after']} "
        "(a machine shared with other work: latencies include theirs).",
        "",
        f"| page | queries ~10 / ~1,000 rows | floor ms | c={w} req/s | p50 / p95 / p99 ms | p50/floor | "
        f"p95/floor | errors | c={w4} req/s | p50 / p95 / p99 ms | p50/floor | p95/floor | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in report["pages"]:
        cells = [
            row["name"],
            f"{row['queries_few']} ({row['rows_few']}) / {row['queries_many']} ({row['rows_many']})",
            f"{row['floor_ms']:.1f}",
        ]
        for c in (w, w4):
            run = row["runs"].get(str(c))
            if not run:
                cells += ["-"] * 5
                continue
            cells += [
                f"{run['rps']:.1f}",
                f"{run['p50_ms']:.0f} / {run['p95_ms']:.0f} / {run['p99_ms']:.0f}",
                f"{run['p50_over_floor']}",
                f"{run['p95_over_floor']}",
                str(run["errors"]),
            ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "Queries: for a list of about 10 rows and one of about 1,000 (rows in brackets, -1 where the "
        "page prints no count). Floor: the median time of the hand-written SQL the page needs.",
        "",
    ]
    if e := report["export"]:
        lines += [
            f"Export of {e['applications']:,} applications (xlsx, in a child process): {e['seconds']} s, "
            f"peak resident memory +{e['peak_mb']} MB over {e['rss_before_mb']} MB, {e['bytes']:,} bytes.",
            "",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
