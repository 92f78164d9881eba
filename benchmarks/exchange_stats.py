"""How fast the exchange statistics answer over a national year, and how fast records are written.

Fills the daily and monthly roll-ups the way the gateway's group commit does, for a year of NDXP traffic
(860 million transactions over a realistic set of consumer/service pairs), then times the statistics
the monitor asks for. Also times the record writer alone (records/s per flush size).

    .venv/bin/python benchmarks/exchange_stats.py                 # SQLite in a temp dir
    .venv/bin/python benchmarks/exchange_stats.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from govhub.core import migrate
from govhub.core.database import Database
from govhub.exchange import service
from govhub.exchange.recorder import Record, Writer

YEAR = 2022
TARGET = 860_000_000


def timed(label: str, fn, repeat: int = 5) -> float:
    samples = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
    median = statistics.median(samples)
    print(f"  {label:<52} {median * 1000:9.1f} ms   ({_size(result)})")
    return median


def _size(result: object) -> str:
    if isinstance(result, list):
        return f"{len(result)} rows"
    if isinstance(result, dict):
        return ", ".join(f"{k}={v}" for k, v in list(result.items())[:3])
    return str(result)


def fill_rollups(database: Database, consumers: int, services: int, pairs: int, seed: int = 7) -> int:
    """Writes a year of roll-up rows whose counts add up to about 860 million transactions."""
    rng = random.Random(seed)
    chosen = rng.sample([(c, s) for c in range(1, consumers + 1) for s in range(1, services + 1)], pairs)
    weights = [rng.paretovariate(1.2) for _ in chosen]
    scale = TARGET / 365 / sum(weights)
    daily_rows = []
    monthly: dict[tuple[dt.date, int, int, bool], list[int]] = {}
    for day_index in range(365):
        day = dt.date(YEAR, 1, 1) + dt.timedelta(days=day_index)
        for (consumer, svc), weight in zip(chosen, weights, strict=True):
            total = max(1, int(weight * scale * rng.uniform(0.7, 1.3)))
            failed = total // 50
            for ok, count in ((True, total - failed), (False, failed)):
                if count == 0:
                    continue
                row = (day, consumer, svc, ok, count, count * 40, 5, 900, count * 300, count * 900)
                daily_rows.append(row)
                key = (day.replace(day=1), consumer, svc, ok)
                entry = monthly.setdefault(key, [0, 0, 10**9, 0, 0, 0])
                entry[0] += count
                entry[1] += count * 40
                entry[2] = min(entry[2], 5)
                entry[3] = max(entry[3], 900)
                entry[4] += count * 300
                entry[5] += count * 900
    monthly_rows = [(*k, *v) for k, v in monthly.items()]
    columns = "consumer_subsystem_id, service_id, succeeded, count, duration_ms_sum, duration_ms_min, duration_ms_max, request_bytes, response_bytes"
    with database.engine.begin() as connection:
        for table, period, rows in (
            ("xr_tx_daily", "day", daily_rows),
            ("xr_tx_monthly", "month", monthly_rows),
        ):
            statement = text(
                f"INSERT INTO {table} ({period}, {columns}) VALUES (:p, :c, :s, :ok, :n, :ds, :dmin, :dmax, :rq, :rs)"  # noqa: S608
            )
            for start in range(0, len(rows), 50_000):
                connection.execute(
                    statement,
                    [
                        dict(
                            zip(
                                ("p", "c", "s", "ok", "n", "ds", "dmin", "dmax", "rq", "rs"), row, strict=True
                            )
                        )
                        for row in rows[start : start + 50_000]
                    ],
                )
    print(f"  roll-up rows: {len(daily_rows):,} daily, {len(monthly_rows):,} monthly")
    return sum(r[4] for r in daily_rows)


def writer_rate(database: Database, batch: int, batches: int) -> float:
    writer = Writer(database.engine)
    now = int(time.time() * 1000)
    records = [
        Record(
            message_id=f"m-{batch}-{i}",
            consumer_subsystem_id=1 + i % 50,
            service_id=1 + i % 20,
            client=("VN", "GOV", "000.00.00.H26", "DVC"),
            service=("VN", "GOV", "000.10.00.G01", "POPULATION", "citizens"),
            service_type="OPENAPI3",
            rest_method="GET",
            rest_path="/citizens/001099012345",
            user_id="VN001099012345",
            issue=None,
            request_in_ts=now,
            request_out_ts=now + 1,
            response_in_ts=now + 3,
            response_out_ts=now + 4,
            request_size=0,
            response_size=300,
            status_code=200,
            succeeded=True,
            fault_code=None,
            fault_string=None,
        )
        for i in range(batch)
    ]
    started = time.perf_counter()
    for _ in range(batches):
        writer.write(records)
    elapsed = time.perf_counter() - started
    writer.close()
    return batch * batches / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--postgres", help="a PostgreSQL URL of an EMPTY scratch database (it will be filled)"
    )
    parser.add_argument("--consumers", type=int, default=300, help="consumer subsystems")
    parser.add_argument("--services", type=int, default=400, help="services")
    parser.add_argument("--pairs", type=int, default=2000, help="active consumer/service pairs per day")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.postgres or f"sqlite:///{Path(tmp) / 'stats.db'}"
        database = Database(url)
        migrate.upgrade(database.engine)
        print(f"database: {database.engine.dialect.name}")
        started = time.perf_counter()
        total = fill_rollups(database, args.consumers, args.services, args.pairs)
        print(f"  filled a year of {total:,} transactions in {time.perf_counter() - started:.1f} s")

        print("statistics (median of 5):")
        with database.sessionmaker() as s:
            year = (dt.date(YEAR, 1, 1), dt.date(YEAR + 1, 1, 1))
            t_year = timed(
                "year total (monthly roll-up)",
                lambda: service.transaction_counts(
                    db_session=s, start=year[0], end=year[1], granularity="month"
                ),
            )
            timed(
                "year by consumer (monthly roll-up)",
                lambda: service.transaction_counts(
                    db_session=s, start=year[0], end=year[1], granularity="month", group_by="consumer"
                ),
            )
            timed(
                "year by provider (monthly roll-up + registry join)",
                lambda: service.transaction_counts(
                    db_session=s, start=year[0], end=year[1], granularity="month", group_by="provider"
                ),
            )
            timed(
                "30 days by day (daily roll-up)",
                lambda: service.transaction_counts(
                    db_session=s, start=dt.date(YEAR, 11, 1), end=dt.date(YEAR, 12, 1), granularity="day"
                ),
            )
            t_days = timed(
                "whole year by day (daily roll-up)",
                lambda: service.transaction_counts(
                    db_session=s, start=year[0], end=year[1], granularity="day"
                ),
                repeat=3,
            )
            timed(
                "two-way subsystems in the year",
                lambda: len(service.two_way_subsystems(db_session=s, start=year[0], end=year[1])),
            )
            rows = service.transaction_counts(db_session=s, start=year[0], end=year[1], granularity="month")
            counted = sum(r["total"] for r in rows)
        print(f"  year total counted: {counted:,} (filled {total:,}; match: {counted == total})")
        print(f"  year total answers in {t_year * 1000:.1f} ms; a year day by day in {t_days * 1000:.0f} ms")

        print("record writer (records and both roll-ups in one commit):")
        for batch in (1, 10, 50, 200):
            rate = writer_rate(database, batch, max(20, 4000 // batch))
            print(f"  batch of {batch:>3}: {rate:10,.0f} records/s")
        database.dispose()


if __name__ == "__main__":
    main()
