"""Benchmark: the X-Road REST gateway against a direct call and an nginx proxy_pass, in one run, on loopback.

    .venv/bin/python benchmarks/gateway_load.py                       # defaults: 10 s runs, c64 and c32,
                                                                      # 2 workers, granian and uvicorn, 3 runs
    .venv/bin/python benchmarks/gateway_load.py --server granian --runs 1 --duration 5
    .venv/bin/python benchmarks/gateway_load.py --db postgres         # fresh database on 127.0.0.1:5432

Needs Debian's nginx and wrk (`apt-get install -y nginx-light wrk`). Everything listens on 127.0.0.1.
The provider is an nginx answering a fixed 300-byte JSON body; the same provider is called directly, through
an nginx `proxy_pass` (keepalive upstream) and through `govhub serve` (every transaction group-committed to
xr_transaction before the response is released). wrk runs with -t1, as in the calibration runs.

Prints, per target and concurrency, the median requests/s and p50/p99 latency over --runs runs, the ratios
gateway/nginx and gateway/direct, the projected time for 2.1 million transactions, the gateway's CPU per
request (from /proc), and checks that xr_transaction holds a record of every response wrk received.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NGINX = "/usr/sbin/nginx"
WRK = "/usr/bin/wrk"
ROOT = Path(__file__).resolve().parent.parent
GOVHUB = ROOT / ".venv" / "bin" / "govhub"
DAY = 2_100_000  # a national day of NDXP transactions
GOAL_RPS = 3500
GOAL_RATIO = 0.15
INSTANCE = "VN"


# --- the fixed provider body and nginx configs --------------------------------------------------------


def provider_body() -> str:
    head = '{"id":"r1-0001","status":"ok","model":"provider-fixed","data":{"items":[1,2,3,4,5],"text":"'
    tail = '"}}'
    body = head + "x" * (300 - len(head) - len(tail)) + tail
    assert len(body.encode()) == 300
    return body


def _nginx_common(prefix: Path, name: str) -> tuple[str, str]:
    tmp = prefix / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    temps = "\n".join(
        f"    {kind}_temp_path {tmp}/{name}_{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"""worker_processes 1;
daemon off;
pid {prefix}/{name}.pid;
error_log {prefix}/{name}.error.log warn;
events {{ worker_connections 4096; use epoll; multi_accept on; }}
""",
        temps,
    )


def provider_conf(prefix: Path, port: int) -> str:
    head, temps = _nginx_common(prefix, "provider")
    return f"""{head}http {{
    access_log off;
{temps}
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        default_type application/json;
        location / {{
            return 200 '{provider_body()}';
        }}
    }}
}}
"""


def proxy_conf(prefix: Path, port: int, upstream: int) -> str:
    head, temps = _nginx_common(prefix, "proxy")
    return f"""{head}http {{
    access_log off;
{temps}
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    upstream provider {{ server 127.0.0.1:{upstream}; keepalive 128; keepalive_requests 1000000; }}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        location / {{ proxy_pass http://provider; proxy_http_version 1.1; proxy_set_header Connection ""; }}
    }}
}}
"""


# --- processes --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Processes:
    """Every server this script starts, each in its own process group, stopped by its id at the end."""

    def __init__(self) -> None:
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, argv: list[str], log: Path, **kwargs: Any) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            process = subprocess.Popen(  # noqa: S603 - fixed argv built by this script
                argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
            )
        self.running.append(process)
        return process

    def stop(self, process: subprocess.Popen[bytes], timeout: float = 10) -> None:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        # Workers of a server share its process group; none may outlive it.
        deadline = time.monotonic() + timeout
        while group_members(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if group_members(process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        if process in self.running:
            self.running.remove(process)

    def stop_all(self) -> None:
        for process in list(reversed(self.running)):
            self.stop(process)


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the command name, which may contain spaces: state is [0], ppid [1], pgrp [2].
    return raw[raw.rindex(")") + 2 :].split()


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of a process group."""
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields and int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(entry))
    return members


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def cpu_times() -> tuple[int, int, int]:
    """(total, idle+iowait, steal) jiffies from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(values[:8]), values[3] + values[4], values[7]


def wait_http(url: str, headers: dict[str, str], process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}")
        try:
            request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback http only
            with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    response.read()
                    return
        except Exception as exc:
            last = exc
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:g} s: {last}")


# --- wrk ----------------------------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class Result:
    rps: float
    p50: float
    p99: float
    completed: int
    errors: int  # socket errors + non-2xx/3xx
    cpu_us: float | None = None  # server CPU per request
    steal: float = 0.0
    idle: float = 0.0
    other: float = 0.0  # % of the machine's CPU used by processes this script did not start
    records: int | None = None


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"unparsed latency {text!r}")
    return float(match[1]) * UNITS[match[2]]


def parse_wrk(output: str) -> Result:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    done = re.search(r"^\s+(\d+) requests in", output, re.M)
    if not (rps and p50 and p99 and done):
        raise RuntimeError(f"cannot parse wrk output:\n{output}")
    errors = 0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(v) for v in socket_errors.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non2xx:
        errors += int(non2xx[1])
    return Result(float(rps[1]), _ms(p50[1]), _ms(p99[1]), int(done[1]), errors)


def wrk(url: str, connections: int, seconds: float, headers: dict[str, str], latency: bool = True) -> str:
    argv = [WRK, "-t1", f"-c{connections}", f"-d{seconds:g}s"]
    if latency:
        argv.append("--latency")
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    argv.append(url)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return done.stdout


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    url: str,
    connections: int,
    seconds: float,
    headers: dict[str, str],
    server_pids: list[int],
    our_pids: list[int],
) -> Result:
    """One wrk run; server CPU from /proc, and how busy the rest of the machine was meanwhile."""
    cpu_before, ours_before, wrk_before = cpu_seconds(server_pids), cpu_seconds(our_pids), _children_cpu()
    total0, idle0, steal0 = cpu_times()
    result = parse_wrk(wrk(url, connections, seconds, headers))
    total1, idle1, steal1 = cpu_times()
    used = cpu_seconds(server_pids) - cpu_before
    ours = cpu_seconds(our_pids) - ours_before + _children_cpu() - wrk_before
    span = max(1, total1 - total0)
    busy = (span - (idle1 - idle0) - (steal1 - steal0)) / os.sysconf("SC_CLK_TCK")
    result.steal = 100 * (steal1 - steal0) / span
    result.idle = 100 * (idle1 - idle0) / span
    result.other = max(0.0, 100 * (busy - ours) / (span / os.sysconf("SC_CLK_TCK")))
    result.cpu_us = 1e6 * used / result.completed if result.completed else None
    return result


# --- database and registry ------------------------------------------------------------------------------------


def create_database(kind: str, workdir: Path) -> tuple[str, Any]:
    """A fresh database URL, and how to drop it at the end (None for a file in the temp dir)."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'gateway-bench.db'}", None
    from sqlalchemy import create_engine, text

    name = f"govhub_gwbench_{uuid.uuid4().hex[:8]}"
    admin_url = os.environ.get(
        "GOVHUB_BENCH_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin_url.rsplit("/", 1)[0] + "/" + name, drop


@dataclass
class Registry:
    path: str  # /r1/VN/GOV/<member>/POPULATION/people
    headers: dict[str, str]


def seed(url: str, provider: str) -> Registry:
    """Migrates and registers member → provider subsystem → enabled REST service, consumer, grant and key."""
    from govhub.core import migrate
    from govhub.core.actor import cli_actor
    from govhub.core.database import Database
    from govhub.core.orgs import service as orgs
    from govhub.core.orgs.models import OrgKind
    from govhub.core.orgs.schemas import OrganisationCreate
    from govhub.exchange import service
    from govhub.exchange.schemas import (
        MemberCreate,
        RightCreate,
        ServiceCreate,
        ServiceUpdate,
        SubsystemCreate,
        SubsystemKeyCreate,
    )

    database = Database(url)
    migrate.upgrade(database.engine)
    actor = cli_actor("gateway benchmark")
    with database.session() as session:

        def organisation(code: str, name: str, kind: OrgKind) -> int:
            org = orgs.create(
                db_session=session,
                actor=actor,
                organisation_in=OrganisationCreate(code=code, name=name, kind=kind),
            )
            return org.id

        def member(org: int, code: str) -> int:
            return service.create_member(
                db_session=session,
                actor=actor,
                member_in=MemberCreate(organisation_id=org, member_class="GOV", member_code=code),
            ).id

        provider_org = organisation("BENCH.DB", "Bộ Công an (thử tải)", OrgKind.DATABASE_OWNER)
        consumer_org = organisation("BENCH.H01", "Tỉnh thử tải", OrgKind.PROVINCE)
        provider_sub = service.create_subsystem(
            db_session=session,
            actor=actor,
            subsystem_in=SubsystemCreate(
                member_id=member(provider_org, "BENCHDB"),
                code="POPULATION",
                name="CSDL dân cư",
                kind="national_database",
            ),
        )
        svc = service.create_service(
            db_session=session,
            actor=actor,
            service_in=ServiceCreate(
                subsystem_id=provider_sub.id, code="people", name="Tra cứu công dân", base_url=provider
            ),
        )
        service.update_service(
            db_session=session, actor=actor, service=svc, service_in=ServiceUpdate(enabled=True)
        )
        consumer = service.create_subsystem(
            db_session=session,
            actor=actor,
            subsystem_in=SubsystemCreate(
                member_id=member(consumer_org, "BENCHH01"), code="DVC", name="Cổng DVC"
            ),
        )
        service.grant(
            db_session=session, actor=actor, right_in=RightCreate(service_id=svc.id, subsystem_id=consumer.id)
        )
        _key, token = service.create_key(
            db_session=session, actor=actor, subsystem_id=consumer.id, key_in=SubsystemKeyCreate(name="bench")
        )
        registry = Registry(
            "/r1/" + service.service_identifier(session, svc, INSTANCE),
            {"X-Road-Client": service.subsystem_identifier(session, consumer, INSTANCE), "X-API-Key": token},
        )
    database.dispose()
    return registry


def count_records(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM xr_transaction")).scalar_one())
    finally:
        engine.dispose()


# --- the run -------------------------------------------------------------------------------------------------


@dataclass
class Series:
    results: list[Result] = field(default_factory=list)

    def median(self, attribute: str) -> float:
        values = [getattr(r, attribute) for r in self.results if getattr(r, attribute) is not None]
        return statistics.median(values) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--duration", type=float, default=10, help="seconds per measured wrk run (default 10)"
    )
    parser.add_argument(
        "--connections", type=int, default=64, help="wrk connections (default 64); 32 is always run too"
    )
    parser.add_argument("--workers", type=int, default=2, help="gateway worker processes (default 2)")
    parser.add_argument("--server", choices=("granian", "uvicorn", "both"), default="both")
    parser.add_argument("--runs", type=int, default=3, help="repetitions; medians are reported (default 3)")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of discarded load per server start")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (configs, logs, SQLite file)")
    args = parser.parse_args(argv)

    missing = [tool for tool in (NGINX, WRK) if not Path(tool).is_file()]
    if missing:
        print(f"missing {', '.join(missing)}: install them with `apt-get install -y nginx-light wrk`")
        return 2
    if not GOVHUB.is_file():
        print(f"missing {GOVHUB}: install the project into .venv (`.venv/bin/pip install -e .`)")
        return 2
    conns = sorted({32, args.connections})
    servers = ["granian", "uvicorn"] if args.server == "both" else [args.server]

    workdir = Path(tempfile.mkdtemp(prefix="govhub-gwbench-"))
    processes = Processes()
    drop_database = None

    def interrupted(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupted) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        p_port, x_port, g_port = free_port(), free_port(), free_port()
        for name, text in (
            ("provider", provider_conf(workdir, p_port)),
            ("proxy", proxy_conf(workdir, x_port, p_port)),
        ):
            (workdir / f"{name}.conf").write_text(text)
        provider = processes.start(
            [NGINX, "-c", str(workdir / "provider.conf"), "-p", str(workdir)], workdir / "provider.log"
        )
        proxy = processes.start(
            [NGINX, "-c", str(workdir / "proxy.conf"), "-p", str(workdir)], workdir / "proxy.log"
        )
        wait_http(f"http://127.0.0.1:{p_port}/r1/test", {}, provider, 10)
        wait_http(f"http://127.0.0.1:{x_port}/r1/test", {}, proxy, 10)

        db_url, drop_database = create_database(args.db, workdir)
        registry = seed(db_url, f"http://127.0.0.1:{p_port}")
        rest = "/people/001099012345"
        targets = {
            "direct": (f"http://127.0.0.1:{p_port}/r1/test", {}, group_members(provider.pid)),
            "nginx": (f"http://127.0.0.1:{x_port}/r1/test", {}, group_members(proxy.pid)),
        }
        nginx_pids = group_members(provider.pid) + group_members(proxy.pid)
        gateway_url = f"http://127.0.0.1:{g_port}{registry.path}{rest}"
        env = {
            **os.environ,
            "GOVHUB_DATABASE_URL": db_url,
            "GOVHUB_SECRET_KEY": "bench-" + uuid.uuid4().hex,
            "GOVHUB_CONFIG": str(workdir / "absent.toml"),
            "GOVHUB_SECRET_FILE": str(workdir / "secret"),
        }
        env.pop("GOVHUB_EXCHANGE_REGISTRY_REFRESH_SECONDS", None)  # the production default

        series: dict[tuple[str, int], Series] = {}
        record_checks: list[tuple[str, int, int, int]] = []  # name, conns, completed, records
        planned = args.runs * len(conns) * (2 + len(servers)) * (args.duration + 0.5)
        print(
            f"gateway benchmark: {args.runs} run(s) x c{conns} x direct/nginx/{'/'.join(servers)}, "
            f"{args.duration:g} s each, {args.workers} gateway worker(s), {args.db}; "
            f"about {planned / 60 + 0.3 * args.runs * len(servers):.1f} min",
            flush=True,
        )
        for run in range(1, args.runs + 1):
            for name, (url, headers, pids) in targets.items():
                for c in conns:
                    wrk(url, c, 1, headers, latency=False)
                    result = measure(url, c, args.duration, headers, pids, nginx_pids)
                    series.setdefault((name, c), Series()).results.append(result)
                    print(f"  run {run} {name:<8} c{c:<3} {result.rps:>9.0f} req/s", flush=True)
            for server in servers:
                log = workdir / f"gateway-{server}.log"
                gateway = processes.start(
                    [
                        str(GOVHUB),
                        "serve",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(g_port),
                        "--workers",
                        str(args.workers),
                        "--server",
                        server,
                        "--no-upgrade",
                    ],
                    log,
                    env=env,
                    cwd=workdir,
                )
                try:
                    wait_http(gateway_url, registry.headers, gateway, 30)
                    time.sleep(0.5)  # every worker up before the load starts
                    pids = group_members(gateway.pid)
                    name = f"gw_{server}"
                    for c in conns:
                        wrk(gateway_url, c, args.warmup, registry.headers, latency=False)
                        time.sleep(0.3)  # let the warm-up's last in-flight transactions commit
                        before = count_records(db_url)
                        result = measure(
                            gateway_url, c, args.duration, registry.headers, pids, pids + nginx_pids
                        )
                        time.sleep(0.3)
                        result.records = count_records(db_url) - before
                        record_checks.append((name, c, result.completed, result.records))
                        series.setdefault((name, c), Series()).results.append(result)
                        print(
                            f"  run {run} {name:<8} c{c:<3} {result.rps:>9.0f} req/s  "
                            f"records {result.records} for {result.completed} responses",
                            flush=True,
                        )
                except Exception:
                    print(f"gateway log ({log}):\n" + log.read_text()[-3000:])
                    raise
                finally:
                    processes.stop(gateway)

        report(series, conns, servers, record_checks, args)
        bad = [check for check in record_checks if check[3] < check[2]]
        return 1 if bad else 0
    except KeyboardInterrupt:
        print("interrupted; stopping everything")
        return 130
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        processes.stop_all()
        if drop_database is not None:
            drop_database()
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def report(
    series: dict[tuple[str, int], Series],
    conns: list[int],
    servers: list[str],
    record_checks: list[tuple[str, int, int, int]],
    args: argparse.Namespace,
) -> None:
    print()
    print(
        f"Medians of {args.runs} run(s), wrk -t1 -d{args.duration:g}s, {args.workers} gateway worker(s), "
        f"database {args.db}; CPU µs/req = server process tree (provider for direct); "
        "other % = machine CPU used by processes this script did not start (should be ~0)"
    )
    header = (
        f"{'target':<12}{'conns':>6}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'CPU µs/req':>12}"
        f"{'steal %':>9}{'other %':>9}  req/s of each run"
    )
    print(header)
    print("-" * len(header))
    names = ["direct", "nginx"] + [f"gw_{s}" for s in servers]
    for name in names:
        for c in conns:
            s = series[(name, c)]
            runs = ", ".join(f"{r.rps:.0f}" for r in s.results)
            print(
                f"{name:<12}{c:>6}{s.median('rps'):>10.0f}{s.median('p50'):>9.2f}{s.median('p99'):>9.2f}"
                f"{s.median('cpu_us'):>12.0f}{s.median('steal'):>9.1f}{s.median('other'):>9.1f}  {runs}"
            )
    busiest = max(r.other for s in series.values() for r in s.results)
    if busiest > 10:
        print(
            f"WARNING: other processes used up to {busiest:.0f}% of the machine's CPU during these runs; "
            "absolute figures are low and noisy, the same-run ratios less so"
        )
    print()
    print("Ratios (of medians) and a national day (2.1 million transactions) at the measured rate:")
    for server in servers:
        name = f"gw_{server}"
        for c in conns:
            gw = series[(name, c)].median("rps")
            nginx = series[("nginx", c)].median("rps")
            direct = series[("direct", c)].median("rps")
            pairs = [
                r.rps / n.rps
                for r, n in zip(series[(name, c)].results, series[("nginx", c)].results, strict=False)
            ]
            verdict = "meets" if gw >= GOAL_RPS and gw / nginx >= GOAL_RATIO else "MISSES"
            print(
                f"  {name:<11} c{c:<3} gateway/nginx {gw / nginx:.3f} (runs {min(pairs):.3f}–{max(pairs):.3f})"
                f"  gateway/direct {gw / direct:.3f}  2.1M in {DAY / gw / 60:5.1f} min"
                f"  [{verdict} ≥{GOAL_RPS}/s and ≥{GOAL_RATIO}× nginx]"
            )
    print()
    print("Records: xr_transaction rows written during each measured gateway run vs responses wrk completed")
    worst = 0
    for name, c, completed, records in record_checks:
        extra = records - completed
        worst = max(worst, extra)
        mark = "ok" if 0 <= extra <= c else ("MISSING RECORDS" if extra < 0 else "more than in flight?")
        print(
            f"  {name:<11} c{c:<3} responses {completed:>7}  records {records:>7}  extra {extra:>3}  {mark}"
        )
    print(
        "  (extra = requests still in flight when wrk stopped: recorded by the gateway, never counted by wrk; "
        "at most one per connection)"
    )


if __name__ == "__main__":
    sys.exit(main())
