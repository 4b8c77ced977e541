"""`make bench`: every key page at scale against Django's own floor, through gunicorn.

Run with `DJANGO_SETTINGS_MODULE=roadmap_site.settings_bench` (the Makefile does): those
settings add the floor page (`/__floor__/`: one query, a tiny template, the same
middleware) and an `X-Queries` header. The command

1. makes sure the database (PostgreSQL from DATABASE_URL, default `ldbench`) exists, is
   migrated and holds the scale organisation (`manage.py scale_data`);
2. starts gunicorn with one sync worker and signs in as the scale organisation's bench user;
3. per key page: requests it once, then alternately the page and the floor (both see the
   same machine at the same moment): SQL queries, median and p95 ms, the floor's median,
   their ratio and the HTML size. Then the first view after a change: a write through the
   model method the edit view uses, then the page, then the floor, several times;
4. restarts gunicorn with two workers and lets 20 client threads hammer the share page,
   then the floor, for 30 s each: requests per second, their ratio, errors; and the peak
   RSS (VmHWM) of the workers;
5. prints each figure against its target, PASS or FAIL. It never fails the command.

It lives in the roadmap app because it reads every app's rows; only loopback is used.
"""

from __future__ import annotations

import http.client
import math
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection, models
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from measurement import engagement
from measurement.models import Kpi, Program
from roadmap.management.commands.scale_data import BENCH_EMAIL, BENCH_PASSWORD, scale_org
from roadmap.models import (
    AssessSettings,
    Initiative,
    InitiativeStatus,
    Roadmap,
    Sequence,
    ShareLink,
    TrainingRequest,
)
from roadmap_site.cache import bump_org
from roadmap_site.models import Organization, User
from strategy.models import CanvasAnswer, Question, Strategy

BENCH_SETTINGS = "roadmap_site.settings_bench"
FLOOR = "/__floor__/"

# Targets of the issue "Fast at the size of a global L&D team".
WARM_RATIO = 5
CHANGED_RATIO = 25
MAX_HTML = 400 * 1024
SHARE_SHARE_OF_FLOOR = 0.5
MAX_RSS_MB = 200
# A slow page stops its warm sampling after the time budget, with at least this many.
MIN_WARM = 5


@dataclass
class Scene:
    """The scale organisation's rows the pages show and the changes touch."""

    org: Organization
    user: User
    roadmap: Roadmap
    initiative: Initiative
    request: TrainingRequest
    strategy: Strategy
    answer: CanvasAnswer
    kpi: Kpi
    program: Program
    intake: AssessSettings
    share_token: str
    intake_token: str


@dataclass
class Page:
    name: str
    path: Callable[[Scene], str]
    signed_in: bool
    # A write the page should show next time: returns text the page must now contain,
    # or None when the page does not show that text (the freshness check is skipped).
    change: Callable[[Scene, int], str | None]


def rename_initiative(s: Scene, k: int) -> str:
    title = f"{s.initiative.title.split(' · bench')[0]} · bench {k}"
    s.initiative.change(by=s.user, title=title)
    return title


def rename_initiative_unchecked(s: Scene, k: int) -> None:
    rename_initiative(s, k)
    # The capacity page names only the initiatives that over-allocate someone.


def move_stage(s: Scene, k: int) -> None:
    """A scheduling change beside the rename, for honesty: the initiative's first stage a
    week later (odd k) or back (even k), through the plan's stage form. The rules run again
    over the whole plan. A big plan opens stages on demand: the dates are not checked."""
    from roadmap.forms import StageForm

    stage = one(s.initiative.stages.order_by("position", "pk"), "stage of the initiative")
    days = timedelta(days=7 if k % 2 else -7)
    data = {
        name: "" if value is None else value
        for name, value in StageForm(instance=stage, initiative=s.initiative).initial.items()
    }
    data.update(start=stage.start + days, end=stage.end + days)
    form = StageForm(data, instance=stage, initiative=s.initiative)
    if not form.is_valid():
        raise CommandError(f"The bench's stage move was refused: {form.errors.as_text()}")
    form.save()


def rename_request(s: Scene, k: int) -> None:
    s.request.title = f"{s.request.title.split(' · bench')[0]} · bench {k}"
    s.request.save(update_fields=["title"])
    bump_org(s.org)  # as the request form does
    # Which requests the list shows first depends on its sort and paging: not checked.


def one[M: models.Model](queryset: models.QuerySet[M], what: str) -> M:
    """The first row, or a clear error: the bench needs the scale data's rows."""
    row = queryset.first()
    if row is None:
        raise CommandError(f"The scale data has no {what}: run manage.py scale_data --reset.")
    return row


def revise_vision(s: Scene, k: int) -> str:
    text = f"Every new hire productive in 60 days (bench {k})."
    s.answer.revise(text, by=s.user)
    return text


def correct_kpi_value(s: Scene, k: int) -> None:
    latest = one(s.kpi.values.overall().order_by("-date"), "KPI value")
    s.kpi.record(day=latest.date, value=latest.value + Decimal(k) / 100, entered_by=s.user)
    # Formatting of the latest value and status differs by page: not checked.


def record_learner_event(s: Scene, k: int) -> None:
    """A new learner's event in the last complete month, through the function the event
    form and imports use: it recounts that month of the rollup."""
    month = engagement.last_complete_month(s.org.today())
    at = engagement.month_start(month, s.org.zone) + timedelta(days=14, seconds=k)
    engagement.record_events(
        program=s.program,
        events=[{"learner_key": f"bench-{k}", "event_type": "launched", "occurred_at": at}],
    )
    # The figures move by one learner; how each page rounds them differs: not checked.


def reword_intake(s: Scene, k: int) -> str:
    s.intake.intake_intro = f"Tell us what is going wrong (bench {k})."
    s.intake.save(update_fields=["intake_intro"])
    return s.intake.intake_intro


PAGES = [
    Page("roadmap page", lambda s: f"/roadmaps/{s.roadmap.pk}/", True, rename_initiative),
    Page("request list", lambda s: "/requests/", True, rename_request),
    Page("commitment ledger", lambda s: f"/roadmaps/{s.roadmap.pk}/align/", True,
         rename_initiative),
    Page("plan", lambda s: f"/roadmaps/{s.roadmap.pk}/plan/", True, rename_initiative),
    Page("capacity", lambda s: f"/roadmaps/{s.roadmap.pk}/capacity/", True,
         rename_initiative_unchecked),
    # The same pages after a scheduling change (not a target of the issue: reported beside).
    Page("plan/stage move", lambda s: f"/roadmaps/{s.roadmap.pk}/plan/", True, move_stage),
    Page("capacity/stage move", lambda s: f"/roadmaps/{s.roadmap.pk}/capacity/", True,
         move_stage),
    Page("timeline", lambda s: f"/roadmaps/{s.roadmap.pk}/timeline/", True, rename_initiative),
    Page("strategy page", lambda s: f"/strategy/{s.strategy.pk}/", True, revise_vision),
    Page("KPI list", lambda s: "/measurement/", True, correct_kpi_value),
    Page("KPI detail", lambda s: f"/measurement/kpis/{s.kpi.pk}/", True, correct_kpi_value),
    Page("engagement overview", lambda s: "/measurement/engagement/", True,
         record_learner_event),
    Page("program page", lambda s: f"/measurement/programs/{s.program.pk}/", True,
         record_learner_event),
    Page("measurement dashboard", lambda s: "/measurement/dashboard/", True, correct_kpi_value),
    Page("share page", lambda s: f"/s/{s.share_token}/", False, rename_initiative),
    Page("public intake form", lambda s: f"/intake/{s.intake_token}/", False, reword_intake),
]  # fmt: skip


# The database ---------------------------------------------------------------------------


def ensure_database(stdout) -> None:
    """Create the PostgreSQL database if it does not exist yet (e.g. a first `ldbench`)."""
    try:
        connection.ensure_connection()
        return
    except OperationalError as error:
        if "does not exist" not in str(error):
            raise
    import psycopg

    params = connection.get_connection_params()
    name = params.pop("dbname")
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    stdout.write(f"Created the database {name}.")


def prepare_scene() -> Scene:
    """Issue this run's share link and intake address (only hashes are stored, so each
    run makes its own) and pick the rows the changes touch."""
    with scopes_disabled():
        org = scale_org()
    assert org is not None
    with scope(organization=org):
        user = User.objects.get(email=BENCH_EMAIL)
        roadmap = one(Roadmap.objects.order_by("pk"), "roadmap")
        # A committed initiative of the first cycle, high in its group: every roadmap page
        # lists it, however the pages collapse or page their rows.
        committed = Initiative.objects.filter(roadmap=roadmap, status=InitiativeStatus.COMMITTED)
        initiative = committed.filter(cycle__position=0, sequence=Sequence.NOW).order_by(
            "position"
        ).first() or one(committed.order_by("pk"), "committed initiative")
        strategy = one(Strategy.objects.order_by("-fiscal_year"), "strategy")
        ShareLink.objects.filter(roadmap=roadmap, label="bench").delete()
        _link, share_token = ShareLink.issue(roadmap=roadmap, created_by=user, label="bench")
        intake = AssessSettings.for_org(org)
        intake_token = intake.open_intake()
        return Scene(
            org=org,
            user=user,
            roadmap=roadmap,
            initiative=initiative,
            request=one(TrainingRequest.objects.order_by("-submitted_at", "-pk"), "request"),
            strategy=strategy,
            answer=strategy.answers.get(question=Question.VISION),
            kpi=one(Kpi.objects.filter(target__isnull=False).order_by("pk"), "KPI with a target"),
            # The first program on the overview's first page.
            program=one(Program.objects.select_related("initiative", "org"), "program"),
            intake=intake,
            share_token=share_token,
            intake_token=intake_token,
        )


# gunicorn and the HTTP client --------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def peak_rss_mb(self) -> float:
        """The largest VmHWM (peak resident memory) among the workers, in MB."""
        peaks = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
            if match:
                peaks.append(int(match.group(1)) / 1024)
        return max(peaks, default=0.0)


@contextmanager
def gunicorn(*, workers: int, log_dir: Path) -> Iterator[Server]:
    port = free_port()
    log = log_dir / f"gunicorn-{workers}w.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": BENCH_SETTINGS,
        "DEBUG": "false",
        "RATELIMIT_ENABLE": "false",
    }
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [sys.executable, "-m", "gunicorn", "roadmap_site.wsgi:application",
             "--workers", str(workers), "--worker-class", "sync", "--timeout", "120",
             "--bind", f"127.0.0.1:{port}"],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    server = Server(process, port, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(server.port, FLOOR).status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise CommandError(f"gunicorn did not start; see {log}:\n{log.read_text()[-2000:]}")
            time.sleep(0.3)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Reply:
    status: int
    ms: float
    body: bytes
    headers: http.client.HTTPMessage

    @property
    def queries(self) -> int | None:
        value = self.headers.get("X-Queries")
        return int(value) if value is not None else None


def get(port: int, path: str, *, cookie: str = "", method: str = "GET", body: str = "") -> Reply:
    """One request on a new connection (gunicorn's sync workers close each one)."""
    headers = {"Cookie": cookie} if cookie else {}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, body=body or None, headers=headers)
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    return Reply(response.status, (time.perf_counter() - started) * 1000, data, response.msg)


def cookies_of(reply: Reply) -> dict[str, str]:
    jar = {}
    for header in reply.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def sign_in(port: int) -> str:
    """Sign in through the real form; returns the Cookie header of the session."""
    page = get(port, "/accounts/login/")
    jar = cookies_of(page)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    if page.status != 200 or match is None or "csrftoken" not in jar:
        raise CommandError(f"The sign-in page answered {page.status} without a CSRF token.")
    form = {
        "username": BENCH_EMAIL,
        "password": BENCH_PASSWORD,
        "csrfmiddlewaretoken": match.group(1).decode(),
    }
    reply = get(
        port,
        "/accounts/login/",
        cookie=f"csrftoken={jar['csrftoken']}",
        method="POST",
        body=urlencode(form),
    )
    jar |= cookies_of(reply)
    if reply.status != 302 or "sessionid" not in jar:
        raise CommandError(f"Signing in as {BENCH_EMAIL} failed ({reply.status}).")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


# Measuring ------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def p95(values: list[float]) -> float:
    """Nearest rank: the smallest value at or above 95 % of the samples."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] if ordered else math.nan


@dataclass
class PageResult:
    name: str
    queries: int | None = None
    html_bytes: int = 0
    warm: list[float] = field(default_factory=list)
    changed: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    stale: int = 0  # changes the next view did not show
    checked: int = 0
    error: str = ""

    @property
    def floor_median(self) -> float:
        return median(self.floor)

    @property
    def warm_ratio(self) -> float:
        return median(self.warm) / self.floor_median

    @property
    def changed_ratio(self) -> float:
        return median(self.changed) / self.floor_median


def measure_page(
    port: int, page: Page, scene: Scene, *, cookie: str, warm: int, changed: int, budget: float
) -> PageResult:
    """`warm` page/floor pairs, fewer (at least `MIN_WARM`) when they take over `budget`
    seconds, so a slow page cannot stretch the run; then `changed` change/page/floor."""
    result = PageResult(page.name)
    path = page.path(scene)
    cookie = cookie if page.signed_in else ""

    def view() -> Reply | None:
        reply = get(port, path, cookie=cookie)
        if reply.status != 200:
            result.error = f"{path} answered {reply.status}"
            return None
        return reply

    first = view()  # templates, caches and connections warm; not measured
    if first is None:
        return result
    started = time.monotonic()
    for i in range(warm):
        if i >= MIN_WARM and time.monotonic() - started > budget:
            break
        reply = view()
        if reply is None:
            return result
        result.warm.append(reply.ms)
        result.queries, result.html_bytes = reply.queries, len(reply.body)
        result.floor.append(get(port, FLOOR, cookie=cookie).ms)
    for k in range(changed):
        marker = page.change(scene, k + 1)
        reply = view()
        if reply is None:
            return result
        result.changed.append(reply.ms)
        if marker is not None:
            result.checked += 1
            result.stale += marker.encode() not in reply.body
        result.floor.append(get(port, FLOOR, cookie=cookie).ms)
    return result


@dataclass
class LoadResult:
    name: str
    requests: int
    errors: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def hammer(port: int, path: str, *, clients: int, seconds: float) -> tuple[int, int]:
    """`clients` threads, each requesting `path` back to back for `seconds`.
    Returns (successful responses, errors)."""
    deadline = time.monotonic() + seconds
    counts = [[0, 0] for _ in range(clients)]

    def client(slot: list[int]) -> None:
        while time.monotonic() < deadline:
            try:
                ok = get(port, path).status == 200
            except OSError:
                ok = False
            slot[0 if ok else 1] += 1

    threads = [threading.Thread(target=client, args=(slot,)) for slot in counts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(c[0] for c in counts), sum(c[1] for c in counts)


def load_run(port: int, name: str, path: str, *, clients: int, seconds: float) -> LoadResult:
    hammer(port, path, clients=clients, seconds=min(3.0, seconds))  # every worker warm
    started = time.monotonic()
    ok, errors = hammer(port, path, clients=clients, seconds=seconds)
    return LoadResult(name, ok, errors, time.monotonic() - started)


# Reporting ------------------------------------------------------------------------------


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def kib(size: int) -> str:
    return f"{size / 1024:,.0f} KB"


class Command(BaseCommand):
    help = "Time every key page at scale against Django's floor, through gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--warm", type=int, default=20, help="warm requests per page")
        parser.add_argument(
            "--changed", type=int, default=5, help="first views after a change, per page"
        )
        parser.add_argument(
            "--budget", type=float, default=25, help="seconds of warm sampling per page, at most"
        )
        parser.add_argument("--clients", type=int, default=20, help="concurrent clients")
        parser.add_argument("--seconds", type=float, default=30, help="length of each load run")
        parser.add_argument("--pages", default="", help="comma-separated page names (default: all)")

    def handle(self, *args, warm, changed, budget, clients, seconds, pages, **options):
        if settings.ROOT_URLCONF != "roadmap_site.bench_urls":
            raise CommandError(
                f"Run with DJANGO_SETTINGS_MODULE={BENCH_SETTINGS} (`make bench` does)."
            )
        if connection.vendor != "postgresql":
            raise CommandError("The bench measures PostgreSQL: set DATABASE_URL=postgres://…")
        if min(warm, changed, clients) < 1 or seconds <= 0:
            raise CommandError("--warm, --changed, --clients and --seconds must be positive.")
        chosen = [p for p in PAGES if not pages or p.name in pages.split(",")]
        write = self.stdout.write

        ensure_database(self.stdout)
        call_command("migrate", verbosity=0, interactive=False)
        with scopes_disabled():
            missing = scale_org() is None
        if missing:
            call_command("scale_data", stdout=self.stdout)
        scene = prepare_scene()
        log_dir = Path(settings.BASE_DIR) / "test-artifacts" / "bench"
        log_dir.mkdir(parents=True, exist_ok=True)

        load = os.getloadavg()[0]
        write(
            f"make bench, {timezone.now():%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, "
            f"load {load:.1f}, PostgreSQL database {connection.settings_dict['NAME']}, "
            f"Python {sys.version.split()[0]}"
        )
        write(
            f"Pages: gunicorn 1 sync worker; up to {warm} warm requests (fewer past {budget:g} s, "
            f"at least {min(warm, MIN_WARM)}) and {changed} first view(s) after a change per "
            "page, each followed by the floor (one query, tiny template)."
        )

        results: list[PageResult] = []
        with gunicorn(workers=1, log_dir=log_dir) as server:
            cookie = sign_in(server.port)
            with scope(organization=scene.org):
                for page in chosen:
                    result = measure_page(
                        server.port,
                        page,
                        scene,
                        cookie=cookie,
                        warm=warm,
                        changed=changed,
                        budget=budget,
                    )
                    results.append(result)
                    write(self.page_line(result))
            single_rss = server.peak_rss_mb()
        write(self.page_table(results))

        write(
            f"\nLoad: gunicorn 2 sync workers, {clients} client threads, {seconds:g} s each "
            "(after a 3 s warm-up)."
        )
        with gunicorn(workers=2, log_dir=log_dir) as server:
            share_path = f"/s/{scene.share_token}/"
            share = load_run(
                server.port, "share page", share_path, clients=clients, seconds=seconds
            )
            floor = load_run(server.port, "floor", FLOOR, clients=clients, seconds=seconds)
            load_rss = server.peak_rss_mb()
        share_of_floor = share.per_second / floor.per_second if floor.per_second else 0.0
        for run in (share, floor):
            write(
                f"  {run.name:<12}{run.per_second:>9.1f} req/s  {run.requests:>7} requests  "
                f"{run.errors} errors"
            )
        write(
            f"  share page / floor: {share_of_floor:.1%} (target ≥ "
            f"{SHARE_SHARE_OF_FLOOR:.0%}, 0 errors) "
            f"{verdict(share_of_floor >= SHARE_SHARE_OF_FLOOR and share.errors == 0)}"
        )
        peak = max(single_rss, load_rss)
        write(
            f"  worker peak RSS (VmHWM): {single_rss:.0f} MB after the pages, {load_rss:.0f} MB "
            f"after the load runs (target < {MAX_RSS_MB} MB) {verdict(peak < MAX_RSS_MB)}"
        )
        ok = sum(self.page_passes(r) for r in results)
        write(f"\nPages within every target: {ok} of {len(results)}. Logs in {log_dir}.")
        with scope(organization=scene.org):
            ShareLink.objects.filter(roadmap=scene.roadmap, label="bench").update(
                revoked_at=timezone.now() - timedelta(seconds=1)
            )

    @staticmethod
    def page_passes(r: PageResult) -> bool:
        return (
            not r.error
            and r.warm_ratio <= WARM_RATIO
            and r.changed_ratio <= CHANGED_RATIO
            and r.html_bytes <= MAX_HTML
            and not r.stale
        )

    @staticmethod
    def page_line(r: PageResult) -> str:
        if r.error:
            return f"  {r.name}: ERROR {r.error}"
        return (
            f"  {r.name}: {median(r.warm):.0f} ms warm, {median(r.changed):.0f} ms after a "
            f"change, floor {r.floor_median:.1f} ms"
        )

    @staticmethod
    def page_table(results: list[PageResult]) -> str:
        head = (
            f"\n{'page':<20}{'n':>3}{'queries':>8}{'median':>9}{'p95':>8}{'floor':>8}{'ratio':>8}"
            f"{'  ≤5x':<6}{'changed':>9}{'ratio':>8}{'  ≤25x':<7}{'HTML':>10}{'  ≤400K':<8}"
            f"{'fresh':>6}"
        )
        lines = [head, f"{'':<20}{'':>3}{'':>8}{'ms':>9}{'ms':>8}{'ms':>8}{'':>8}{'':<6}{'ms':>9}"]
        for r in results:
            if r.error:
                lines.append(f"{r.name:<20}ERROR: {r.error}")
                continue
            fresh = "-" if not r.checked else ("yes" if not r.stale else f"STALE {r.stale}")
            lines.append(
                f"{r.name:<20}{len(r.warm):>3}{r.queries if r.queries is not None else '?':>8}"
                f"{median(r.warm):>9.1f}{p95(r.warm):>8.1f}{r.floor_median:>8.1f}"
                f"{r.warm_ratio:>7.1f}x  {verdict(r.warm_ratio <= WARM_RATIO):<6}"
                f"{median(r.changed):>7.1f}{r.changed_ratio:>7.1f}x  "
                f"{verdict(r.changed_ratio <= CHANGED_RATIO):<7}"
                f"{kib(r.html_bytes):>10}  {verdict(r.html_bytes <= MAX_HTML):<6}{fresh:>6}"
            )
        return "\n".join(lines)
