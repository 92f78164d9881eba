"""Group commit of transaction records: one flush for every request that finished within a few milliseconds.

A response is released only after its record is committed, so a crash (even SIGKILL) loses no record of a
response a client received. SQLite runs in WAL mode with synchronous=NORMAL: a commit survives the process
dying, not the machine losing power (use PostgreSQL with synchronous_commit=on for that).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

log = logging.getLogger("govhub.exchange.recorder")
VN_OFFSET_MS = 7 * 3600 * 1000

COLUMNS = (
    "message_id",
    "consumer_subsystem_id",
    "service_id",
    "client_instance",
    "client_member_class",
    "client_member_code",
    "client_subsystem_code",
    "service_instance",
    "service_member_class",
    "service_member_code",
    "service_subsystem_code",
    "service_code",
    "service_type",
    "rest_method",
    "rest_path",
    "user_id",
    "issue",
    "request_in_ts",
    "request_out_ts",
    "response_in_ts",
    "response_out_ts",
    "request_size",
    "response_size",
    "status_code",
    "succeeded",
    "fault_code",
    "fault_string",
)
ROLLUP_COLUMNS = (
    "consumer_subsystem_id",
    "service_id",
    "succeeded",
    "count",
    "duration_ms_sum",
    "duration_ms_min",
    "duration_ms_max",
    "request_bytes",
    "response_bytes",
)


@dataclass(slots=True)
class Record:
    message_id: str
    consumer_subsystem_id: int | None
    service_id: int | None
    client: tuple[str, str, str, str] | None
    service: tuple[str, str, str, str, str] | None
    service_type: str | None
    rest_method: str
    rest_path: str
    user_id: str | None
    issue: str | None
    request_in_ts: int
    request_out_ts: int | None
    response_in_ts: int | None
    response_out_ts: int
    request_size: int
    response_size: int
    status_code: int
    succeeded: bool
    fault_code: str | None
    fault_string: str | None

    def row(self) -> tuple[Any, ...]:
        client = self.client or (None, None, None, None)
        service = self.service or (None, None, None, None, None)
        return (
            self.message_id[:100],
            self.consumer_subsystem_id,
            self.service_id,
            *client,
            *service,
            self.service_type,
            self.rest_method[:8],
            self.rest_path[:1000],
            self.user_id[:100] if self.user_id else None,
            self.issue[:200] if self.issue else None,
            self.request_in_ts,
            self.request_out_ts,
            self.response_in_ts,
            self.response_out_ts,
            self.request_size,
            self.response_size,
            self.status_code,
            self.succeeded,
            self.fault_code[:255] if self.fault_code else None,
            self.fault_string[:2048] if self.fault_string else None,
        )


_EPOCH = dt.date(1970, 1, 1)


def _local_day(ms: int) -> dt.date:
    """The Vietnamese calendar day (UTC+7, no daylight saving) of a millisecond timestamp."""
    return _EPOCH + dt.timedelta(days=(ms + VN_OFFSET_MS) // 86_400_000)


Totals = dict[tuple[dt.date, int, int, bool], list[int]]


def _add(totals: Totals, key: tuple[dt.date, int, int, bool], values: list[int]) -> None:
    """Merges [count, duration sum, min, max, request bytes, response bytes] into the key's totals."""
    entry = totals.get(key)
    if entry is None:
        totals[key] = list(values)
        return
    entry[0] += values[0]
    entry[1] += values[1]
    entry[2] = min(entry[2], values[2])
    entry[3] = max(entry[3], values[3])
    entry[4] += values[4]
    entry[5] += values[5]


def rollup(records: list[Record]) -> Totals:
    """Aggregates a batch by Vietnamese calendar day, consumer, service and outcome."""
    totals: Totals = {}
    for record in records:
        key = (
            _local_day(record.request_in_ts),
            record.consumer_subsystem_id or 0,
            record.service_id or 0,
            record.succeeded,
        )
        duration = max(0, record.response_out_ts - record.request_in_ts)
        _add(totals, key, [1, duration, duration, duration, record.request_size, record.response_size])
    return totals


def by_month(daily: Totals) -> Totals:
    monthly: Totals = {}
    for (day, consumer, service, ok), values in daily.items():
        _add(monthly, (day.replace(day=1), consumer, service, ok), values)
    return monthly


class Writer:
    """Owns one DB-API connection and the dialect-specific SQL for records and roll-ups."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        mark = "?" if self.dialect == "sqlite" else "%s"
        # Built from module constants only, never from input.
        self.insert = (
            f"INSERT INTO xr_transaction ({', '.join(COLUMNS)}) VALUES ({', '.join([mark] * len(COLUMNS))})"  # noqa: S608
        )
        lo, hi = ("min", "max") if self.dialect == "sqlite" else ("LEAST", "GREATEST")
        self.upserts = {
            table: (
                f"INSERT INTO {table} ({period}, {', '.join(ROLLUP_COLUMNS)}) "  # noqa: S608 - constants only
                f"VALUES ({', '.join([mark] * (len(ROLLUP_COLUMNS) + 1))}) "
                f"ON CONFLICT ({period}, consumer_subsystem_id, service_id, succeeded) DO UPDATE SET "
                f"count = {table}.count + excluded.count, "
                f"duration_ms_sum = {table}.duration_ms_sum + excluded.duration_ms_sum, "
                f"duration_ms_min = {lo}({table}.duration_ms_min, excluded.duration_ms_min), "
                f"duration_ms_max = {hi}({table}.duration_ms_max, excluded.duration_ms_max), "
                f"request_bytes = {table}.request_bytes + excluded.request_bytes, "
                f"response_bytes = {table}.response_bytes + excluded.response_bytes"
            )
            for table, period in (("xr_tx_daily", "day"), ("xr_tx_monthly", "month"))
        }
        self.connection: Any = None

    def _connect(self) -> Any:
        if self.connection is None:
            self.connection = self.engine.raw_connection()
        return self.connection

    def _date(self, value: dt.date) -> Any:
        return value.isoformat() if self.dialect == "sqlite" else value

    def write(self, records: list[Record]) -> None:
        connection = self._connect()
        try:
            cursor = connection.cursor()
            if self.dialect == "sqlite":
                cursor.execute("BEGIN IMMEDIATE")
            cursor.executemany(self.insert, [r.row() for r in records])
            daily = rollup(records)
            monthly = by_month(daily)
            for table, totals in (("xr_tx_daily", daily), ("xr_tx_monthly", monthly)):
                cursor.executemany(
                    self.upserts[table],
                    [(self._date(k[0]), k[1], k[2], k[3], *v) for k, v in sorted(totals.items())],
                )
            connection.commit()
            cursor.close()
        except Exception:
            try:
                connection.rollback()
            except Exception:  # a broken connection is replaced below
                log.debug("rollback failed", exc_info=True)
            self.close()
            raise

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:
                log.debug("close failed", exc_info=True)
            self.connection = None


class Recorder:
    """Batches records from one event loop; `record` returns once its batch is committed."""

    def __init__(self, engine: Engine, interval: float = 0.003) -> None:
        self.writer = Writer(engine)
        self.interval = interval
        # SQLite commits are cheapest on the loop (measured); a PostgreSQL commit waits for the server's WAL
        # flush, so it runs on one dedicated thread and the loop keeps serving meanwhile.
        self.executor = (
            None
            if self.writer.dialect == "sqlite"
            else ThreadPoolExecutor(1, thread_name_prefix="govhub-recorder")
        )
        self.pending: list[tuple[Record, asyncio.Future[None]]] = []
        self.scheduled = False
        self.written = 0

    async def record(self, record: Record) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self.pending.append((record, future))
        if not self.scheduled:
            self.scheduled = True
            loop.call_later(self.interval, self.flush)
        await future

    def flush(self) -> None:
        self.scheduled = False
        batch, self.pending = self.pending, []
        if not batch:
            return
        records = [record for record, _future in batch]
        if self.executor is None:
            try:
                self.writer.write(records)
            except Exception as exc:
                self._settle(batch, exc)
            else:
                self._settle(batch, None)
            return
        done = asyncio.get_running_loop().run_in_executor(self.executor, self.writer.write, records)
        done.add_done_callback(lambda task: self._settle(batch, task.exception()))

    def _settle(self, batch: list[tuple[Record, asyncio.Future[None]]], error: BaseException | None) -> None:
        if error is not None:
            log.error("could not record %d transactions: %s", len(batch), error)
        else:
            self.written += len(batch)
        for _record, future in batch:
            if future.done():
                continue
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(None)

    def close(self) -> None:
        """Writes what is pending and releases the connection."""
        batch, self.pending = self.pending, []
        if batch:
            try:
                self.writer.write([record for record, _future in batch])
            except Exception as exc:
                self._settle(batch, exc)
            else:
                self._settle(batch, None)
        if self.executor is not None:
            self.executor.shutdown(wait=True)
        self.writer.close()
