"""Benchmark: a province-year of dossiers, bulk-loaded, then every services fact for one month and for 12.

    .venv/bin/python benchmarks/services_facts.py --rows 3000000             # SQLite file in /tmp
    .venv/bin/python benchmarks/services_facts.py --rows 300000 --database-url postgresql+psycopg://…

Prints the import rate, the time to rebuild the counters and the time to compute the facts, all measured in
this run. Event history is not generated (it does not feed the facts).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, text

from govhub.core import migrate
from govhub.core.actor import cli_actor
from govhub.core.database import Database
from govhub.core.orgs import service as orgs
from govhub.core.orgs.models import OrgKind
from govhub.core.orgs.schemas import OrganisationCreate
from govhub.services import facts
from govhub.services.calendar import LOCAL
from govhub.services.models import Dossier, Procedure, PublicService

YEAR = 2026
CHANNELS = ([1] * 35) + ([2] * 60) + ([3] * 5)  # in person, online, postal (per cent)
# status, weight: most dossiers of a past year are finished; a few are still open or were refused/stopped.
STATUSES = [(10, 70), (9, 10), (8, 3), (3, 2), (4, 8), (5, 2), (2, 3), (6, 1), (1, 1)]
STATUS_POOL = [s for s, w in STATUSES for _ in range(w)]


def seed_catalogue(
    database: Database, agencies: int, procedures: int
) -> list[tuple[int, int, bool, bool, bool]]:
    """(service id, agency id, full online, eligible, paper result) for every offer."""
    actor = cli_actor("benchmark")
    offers = []
    with database.session() as session:
        province = orgs.create(
            db_session=session,
            actor=actor,
            organisation_in=OrganisationCreate(
                code="BENCH.H00", name="Tỉnh thử nghiệm", kind=OrgKind.PROVINCE
            ),
        )
        agency_ids = [province.id]
        for n in range(1, agencies):
            kind = OrgKind.PROVINCIAL_DEPARTMENT if n < 20 else OrgKind.COMMUNE
            org = orgs.create(
                db_session=session,
                actor=actor,
                organisation_in=OrganisationCreate(
                    code=f"BENCH.{n:03d}", name=f"Đơn vị {n}", kind=kind, parent_id=province.id
                ),
            )
            agency_ids.append(org.id)
        rng = random.Random(7)
        for p in range(procedures):
            eligible = rng.random() < 0.7
            paper = rng.random() < 0.8
            procedure = Procedure(
                code=f"2.{p:06d}", name=f"Thủ tục {p}", sector=f"Lĩnh vực {p % 40}", gov_level="province",
                components=[], fees=[{"name": "Lệ phí", "amount": 50000}] if rng.random() < 0.4 else [],
                time_limit=rng.choice([1, 3, 5, 10, 15, 20]), time_unit="working_days",
                paper_result=paper, eligible_full_online=eligible,
            )  # fmt: skip
            session.add(procedure)
            session.flush()
            for agency in rng.sample(agency_ids, k=3):
                level = rng.choices(["full", "partial", "none"], weights=[55, 35, 10])[0]
                service = PublicService(procedure_id=procedure.id, agency_id=agency, online_level=level,
                                        partial_reason="in_person_required" if level == "partial" else None)  # fmt: skip
                session.add(service)
                session.flush()
                offers.append((service.id, agency, procedure.id, level == "full", eligible, paper))
    return offers


def generate(rows: int, offers: list, batch: int = 20_000):
    rng = random.Random(11)
    start = dt.datetime(YEAR, 1, 1, 8, 0, tzinfo=LOCAL).astimezone(dt.UTC)
    seconds = 365 * 24 * 3600
    recent = start + dt.timedelta(days=330)
    for base in range(0, rows, batch):
        chunk = []
        for i in range(base, min(rows, base + batch)):
            service_id, agency, procedure_id, full, eligible, paper = offers[rng.randrange(len(offers))]
            submitted = start + dt.timedelta(seconds=rng.randrange(seconds))
            status = rng.choice(STATUS_POOL)
            if status in (1, 2, 4, 5, 6) and submitted < recent:
                status = 10  # a year later, only the last weeks' dossiers are still open
            channel = rng.choice(CHANNELS) if full or rng.random() < 0.5 else 1
            received = submitted + dt.timedelta(hours=2) if status != 1 and status != 3 else None
            due = received + dt.timedelta(days=rng.choice([1, 5, 7, 14, 21])) if received else None
            finished = None
            timeliness = None
            if status in (8, 9, 10) and due:
                finished = due - dt.timedelta(hours=rng.randrange(-48, 200))
                timeliness = (
                    "late" if finished > due else ("on_time" if finished.date() == due.date() else "early")
                )
            electronic = paper and finished is not None and rng.random() < 0.6
            rating = rng.choice([None, None, None, 5, 5, 4, 3, 1]) if finished else None
            chunk.append({
                "code": f"BENCH-{i:08d}", "public_service_id": service_id, "procedure_id": procedure_id,
                "agency_id": agency, "channel": channel, "status": status,
                "period": submitted.astimezone(LOCAL).strftime("%Y-%m"), "form_data": {},
                "service_full_online": full, "eligible_full_online": eligible, "paper_result": paper,
                "rule_version": 1, "created_at": submitted, "submitted_at": submitted, "received_at": received,
                "clock_started_at": received, "due_at": due, "due_at_original": due,
                "supplement_count": 1 if status == 5 else 0, "extension_count": 0,
                "forced_late": False, "finished_at": finished, "returned_at": finished if status == 10 else None,
                "timeliness": timeliness, "fee_amount": 50000 if rng.random() < 0.3 else 0,
                "paid_online": channel == 2 and rng.random() < 0.5, "digitised": rng.random() < 0.7,
                "reused_data": channel == 2 and rng.random() < 0.5, "population_db_used": channel == 2 and rng.random() < 0.6,
                "electronic_result": electronic, "rating": rating, "withdrawn": status == 8 and rng.random() < 0.5,
                "supplement_requested_at": received if status == 5 else None, "updated_at": submitted,
            })  # fmt: skip
        yield chunk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, default=3_000_000, help="dossiers to generate (default 3,000,000)"
    )
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file in /tmp")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each facts query (best is reported)")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    database = Database(url)
    if url.startswith("postgresql"):
        with database.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"))
    migrate.upgrade(database.engine)
    offers = seed_catalogue(database, agencies=60, procedures=400)
    print(f"database: {database.engine.url.get_backend_name()}; offers: {len(offers)}; rows: {args.rows:,}")

    began = time.perf_counter()
    for chunk in generate(args.rows, offers):
        # One transaction per batch keeps SQLite's WAL small; a big page cache keeps index inserts in memory.
        with database.engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA cache_size=-400000")
            connection.execute(insert(Dossier), chunk)
    load = time.perf_counter() - began
    print(f"import: {args.rows:,} dossiers in {load:.1f} s = {args.rows / load:,.0f} rows/s")

    began = time.perf_counter()
    with database.session() as session:
        written = facts.rebuild(db_session=session)
    rebuild = time.perf_counter() - began
    print(f"counters rebuilt from the dossiers in one pass: {rebuild:.1f} s ({written:,} counter rows)")
    if database.engine.url.get_backend_name() == "postgresql":
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))

    now = dt.datetime(YEAR + 1, 1, 15, tzinfo=dt.UTC)
    timings = {}
    for label, periods in (("one month", [f"{YEAR}-06"]), ("12 months", facts.month_periods(YEAR))):
        best = float("inf")
        for _ in range(args.repeat):
            began = time.perf_counter()
            with database.session() as session:
                result = facts.compute(db_session=session, periods=periods, now=now)
            best = min(best, time.perf_counter() - began)
        timings[label] = best
        print(
            f"facts for {label}: {len(result):,} facts (every agency + all) in {best * 1000:.0f} ms (best of {args.repeat})"
        )
    totals = {f.code: f for f in result if f.agency_id is None and f.period == f"{YEAR}-06"}
    for code in (
        "dossiers.channel.online",
        "dossiers.online_rate",
        "dossiers.full_online_of_eligible",
        "dossiers.on_time_766",
        "services.with_online_dossier",
        "services.full_online_of_eligible",
    ):
        fact = totals[code]
        share = fact.numerator / fact.denominator if fact.denominator else 0
        print(f"  {code}: {fact.numerator:,} / {fact.denominator:,} = {share:.1%}")  # fmt: skip
    verdict = "met" if timings["12 months"] < 1 else "NOT met"
    print(f"goal (a year's facts under 1 s): {verdict} — {timings['12 months'] * 1000:.0f} ms")
    database.dispose()


if __name__ == "__main__":
    main()
