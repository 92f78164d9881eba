"""Facts for the monitor: numerators and denominators per agency and month, never ratios alone.

Dossier counters live in svc_dossier_stat, changed in the same transaction as each dossier, so a year of
facts reads a few thousand rows instead of millions. `rebuild` recomputes them from the dossiers in one
pass (after a bulk import, or to check them).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from govhub.core.database import UTCDateTime
from govhub.services import status as st
from govhub.services.calendar import LOCAL
from govhub.services.models import Dossier, DossierStat, OnlineLevel, Procedure, PublicService, ServiceState
from govhub.services.schemas import Fact

COUNTERS = [
    c.key for c in DossierStat.__table__.columns if c.key not in ("agency_id", "public_service_id", "period")
]
COUNTED_SERVICE_STATES = (ServiceState.PUBLISHED, ServiceState.PENDING_WITHDRAWAL, ServiceState.TESTING)


def contribution(d: Dossier) -> dict[str, int]:
    """What one dossier adds to its month's counters; drafts add nothing."""
    if d.status == st.DRAFT:
        return {}
    received = d.received_at is not None
    finished = d.timeliness in ("early", "on_time", "late")
    e_result_ok = (not d.paper_result) or d.electronic_result
    online = d.channel == 2
    return {
        "submitted": 1,
        "received": int(received),
        "in_person": int(d.channel == 1),
        "online": int(online),
        "postal": int(d.channel == 3),
        "online_counted": int(received and online and e_result_ok),
        "eligible": int(received and d.eligible_full_online),
        "full_online": int(
            received and online and d.service_full_online and d.eligible_full_online and e_result_ok
        ),
        "finished": int(finished),
        "early": int(d.timeliness == "early"),
        "on_time": int(d.timeliness == "on_time"),
        "late": int(d.timeliness == "late"),
        "refused": int(d.status == st.REFUSED),
        "withdrawn": int(d.status == st.STOPPED and d.withdrawn),
        "fee_due": int(d.fee_amount > 0),
        "paid_online": int(d.fee_amount > 0 and d.paid_online),
        "digitised": int(d.digitised and e_result_ok),
        "reused": int(d.reused_data),
        "population_used": int(d.population_db_used),
        "paper_required": int(d.paper_result),
        "electronic_result": int(d.paper_result and d.electronic_result),
        "rated": int(d.rating is not None),
        "rating_sum": d.rating or 0,
        "satisfied": int((d.rating or 0) >= 4),
        "unsatisfied": int(d.rating is not None and d.rating <= 2),
    }


def _sql_contribution() -> dict[str, Any]:
    """The same counters as `contribution`, as SQL over svc_dossier, for the one-pass rebuild."""
    d = Dossier
    received = d.received_at.is_not(None)
    online = d.channel == 2
    e_ok = or_(d.paper_result.is_(False), d.electronic_result.is_(True))

    def n(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    return {
        "submitted": func.count(),
        "received": n(received),
        "in_person": n(d.channel == 1),
        "online": n(online),
        "postal": n(d.channel == 3),
        "online_counted": n(and_(received, online, e_ok)),
        "eligible": n(and_(received, d.eligible_full_online.is_(True))),
        "full_online": n(
            and_(received, online, d.service_full_online.is_(True), d.eligible_full_online.is_(True), e_ok)
        ),
        "finished": n(d.timeliness.in_(("early", "on_time", "late"))),
        "early": n(d.timeliness == "early"),
        "on_time": n(d.timeliness == "on_time"),
        "late": n(d.timeliness == "late"),
        "refused": n(d.status == st.REFUSED),
        "withdrawn": n(and_(d.status == st.STOPPED, d.withdrawn.is_(True))),
        "fee_due": n(d.fee_amount > 0),
        "paid_online": n(and_(d.fee_amount > 0, d.paid_online.is_(True))),
        "digitised": n(and_(d.digitised.is_(True), e_ok)),
        "reused": n(d.reused_data.is_(True)),
        "population_used": n(d.population_db_used.is_(True)),
        "paper_required": n(d.paper_result.is_(True)),
        "electronic_result": n(and_(d.paper_result.is_(True), d.electronic_result.is_(True))),
        "rated": n(d.rating.is_not(None)),
        "rating_sum": func.coalesce(func.sum(d.rating), 0),
        "satisfied": n(d.rating >= 4),
        "unsatisfied": n(d.rating <= 2),
    }


def apply(db_session: Session, d: Dossier, before: dict[str, int]) -> None:
    """Adds the difference between the dossier's counters now and before the change."""
    after = contribution(d)
    delta = {k: after.get(k, 0) - before.get(k, 0) for k in COUNTERS}
    if not any(delta.values()):
        return
    key = {"agency_id": d.agency_id, "public_service_id": d.public_service_id, "period": d.period}
    dialect = db_session.get_bind().dialect.name
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = builder(DossierStat).values(**key, **delta)
    table = DossierStat.__table__
    statement = statement.on_conflict_do_update(
        index_elements=list(key),
        set_={k: table.c[k] + statement.excluded[k] for k, v in delta.items() if v},
    )
    db_session.execute(statement)


def rebuild(*, db_session: Session, periods: list[str] | None = None) -> int:
    """Recomputes the counters from the dossiers in one INSERT … SELECT; returns the rows written."""
    clear = delete(DossierStat)
    if periods:
        clear = clear.where(DossierStat.period.in_(periods))
    db_session.execute(clear)
    sums = _sql_contribution()
    select_ = select(
        Dossier.agency_id, Dossier.public_service_id, Dossier.period, *[v.label(k) for k, v in sums.items()]
    ).where(Dossier.status != st.DRAFT)
    if periods:
        select_ = select_.where(Dossier.period.in_(periods))
    select_ = select_.group_by(Dossier.agency_id, Dossier.public_service_id, Dossier.period)
    result = db_session.execute(
        insert(DossierStat).from_select(["agency_id", "public_service_id", "period", *sums], select_)
    )
    return result.rowcount or 0


def month_periods(year: int) -> list[str]:
    return [f"{year}-{m:02d}" for m in range(1, 13)]


def _period_end(period: str) -> dt.datetime:
    year, month = (int(p) for p in period.split("-"))
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dt.datetime(year, month, 1, tzinfo=LOCAL).astimezone(dt.UTC)


# (code, numerator counter, denominator counter): the dossier facts read straight from the counters.
DOSSIER_FACTS = [
    ("dossiers.received", "received", "submitted"),
    ("dossiers.channel.in_person", "in_person", "submitted"),
    ("dossiers.channel.online", "online", "submitted"),
    ("dossiers.channel.postal", "postal", "submitted"),
    ("dossiers.online_rate", "online_counted", "received"),
    ("dossiers.full_online_of_eligible", "full_online", "eligible"),
    ("dossiers.full_online_of_all", "full_online", "received"),
    ("dossiers.finished_early", "early", "finished"),
    ("dossiers.finished_on_time", "on_time", "finished"),
    ("dossiers.finished_late", "late", "finished"),
    ("dossiers.paid_online", "paid_online", "fee_due"),
    ("dossiers.digitised", "digitised", "received"),
    ("dossiers.reused_data", "reused", "received"),
    ("dossiers.population_data", "population_used", "received"),
    ("dossiers.electronic_result", "electronic_result", "paper_required"),
    ("ratings.satisfied", "satisfied", "rated"),
    ("ratings.unsatisfied", "unsatisfied", "rated"),
    ("ratings.score_sum", "rating_sum", "rated"),
]


def compute(
    *,
    db_session: Session,
    periods: list[str],
    agency_ids: set[int] | None = None,
    now: dt.datetime | None = None,
) -> list[Fact]:
    """Every services fact for each agency and period (agency_id None = all agencies together)."""
    now = now or dt.datetime.now(dt.UTC)
    facts: list[Fact] = []
    stats = _stat_sums(db_session, periods, agency_ids)
    open_counts = _open_timeliness(db_session, periods, agency_ids, now)
    with_online = _services_with_online(db_session, periods, agency_ids)
    levels = _service_levels(db_session, agency_ids)
    agencies = {a for a, _ in stats} | {a for a, _ in open_counts} | {a for a, _ in levels}
    for agency in sorted(agencies, key=lambda a: (a is None, a or 0)):
        level = levels.get((agency, "all"), {})
        for period in periods:
            counters = stats.get((agency, period), {})
            for code, num, den in DOSSIER_FACTS:
                facts.append(
                    Fact.model_construct(
                        code=code,
                        agency_id=agency,
                        period=period,
                        numerator=counters.get(num, 0),
                        denominator=counters.get(den, 0),
                    )
                )
            within, overdue = open_counts.get((agency, period), (0, 0))
            early_on_time = counters.get("early", 0) + counters.get("on_time", 0)
            handled = counters.get("finished", 0) + within + overdue
            facts += [
                Fact.model_construct(code="dossiers.open_within_time", agency_id=agency, period=period,
                     numerator=within, denominator=within + overdue),
                Fact.model_construct(code="dossiers.open_overdue", agency_id=agency, period=period,
                     numerator=overdue, denominator=within + overdue),
                Fact.model_construct(code="dossiers.on_time_766", agency_id=agency, period=period,
                     numerator=early_on_time + within, denominator=handled),
                Fact.model_construct(code="services.with_online_dossier", agency_id=agency, period=period,
                     numerator=with_online.get((agency, period), 0), denominator=level.get("counted", 0)),
                Fact.model_construct(code="services.online_any", agency_id=agency, period=period,
                     numerator=level.get("partial", 0) + level.get("full", 0), denominator=level.get("total", 0)),
                Fact.model_construct(code="services.full_online", agency_id=agency, period=period,
                     numerator=level.get("full", 0), denominator=level.get("total", 0)),
                Fact.model_construct(code="services.partial_online", agency_id=agency, period=period,
                     numerator=level.get("partial", 0), denominator=level.get("total", 0)),
                Fact.model_construct(code="services.not_online", agency_id=agency, period=period,
                     numerator=level.get("none", 0), denominator=level.get("total", 0)),
                Fact.model_construct(code="services.full_online_of_eligible", agency_id=agency, period=period,
                     numerator=level.get("eligible_full", 0), denominator=level.get("eligible", 0)),
            ]  # fmt: skip
    return facts


def _agency_filter(column: Any, agency_ids: set[int] | None) -> Any:
    return column.in_(sorted(agency_ids)) if agency_ids is not None else literal(True)


def _stat_sums(
    db_session: Session, periods: list[str], agency_ids: set[int] | None
) -> dict[tuple[int | None, str], dict[str, int]]:
    sums = [func.sum(DossierStat.__table__.c[k]).label(k) for k in COUNTERS]
    rows = db_session.execute(
        select(DossierStat.agency_id, DossierStat.period, *sums)
        .where(DossierStat.period.in_(periods), _agency_filter(DossierStat.agency_id, agency_ids))
        .group_by(DossierStat.agency_id, DossierStat.period)
    ).all()
    result: dict[tuple[int | None, str], dict[str, int]] = {}
    for row in rows:
        values = {k: int(getattr(row, k) or 0) for k in COUNTERS}
        result[(row.agency_id, row.period)] = values
        total = result.setdefault((None, row.period), dict.fromkeys(COUNTERS, 0))
        for k, v in values.items():
            total[k] += v
    return result


def _open_timeliness(
    db_session: Session, periods: list[str], agency_ids: set[int] | None, now: dt.datetime
) -> dict[tuple[int | None, str], tuple[int, int]]:
    """Open dossiers are few: judged live against the earlier of now and their period's end, in one pass."""
    cutoffs = {period: literal(min(now, _period_end(period)), UTCDateTime()) for period in periods}
    period_cutoff = case(cutoffs, value=Dossier.period, else_=literal(now, UTCDateTime()))
    # A dossier waiting for a supplement is judged at the time the supplement was asked for.
    judged_at = case((Dossier.status == st.SUPPLEMENT, Dossier.supplement_requested_at), else_=period_cutoff)
    overdue = or_(Dossier.forced_late.is_(True), Dossier.due_at < judged_at)
    rows = db_session.execute(
        select(
            Dossier.agency_id,
            Dossier.period,
            func.sum(case((overdue, 0), else_=1)).label("within"),
            func.sum(case((overdue, 1), else_=0)).label("overdue"),
        )
        .where(
            Dossier.status.in_(sorted(st.OPEN - {st.NEW})),
            Dossier.period.in_(periods),
            _agency_filter(Dossier.agency_id, agency_ids),
        )
        .group_by(Dossier.agency_id, Dossier.period)
    ).all()
    result: dict[tuple[int | None, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        for key in ((row.agency_id, row.period), (None, row.period)):
            result[key][0] += int(row.within or 0)
            result[key][1] += int(row.overdue or 0)
    return {k: (v[0], v[1]) for k, v in result.items()}


def _services_with_online(
    db_session: Session, periods: list[str], agency_ids: set[int] | None
) -> dict[tuple[int | None, str], int]:
    rows = db_session.execute(
        select(DossierStat.agency_id, DossierStat.period, func.count(DossierStat.public_service_id))
        .join(PublicService, PublicService.id == DossierStat.public_service_id)
        .where(
            DossierStat.period.in_(periods),
            DossierStat.online > 0,
            PublicService.state.in_(COUNTED_SERVICE_STATES),
            _agency_filter(DossierStat.agency_id, agency_ids),
        )
        .group_by(DossierStat.agency_id, DossierStat.period)
    ).all()
    result: dict[tuple[int | None, str], int] = defaultdict(int)
    for agency, period, count in rows:
        result[(agency, period)] += count
        result[(None, period)] += count
    return dict(result)


def _service_levels(
    db_session: Session, agency_ids: set[int] | None
) -> dict[tuple[int | None, str], dict[str, int]]:
    """The catalogue as it stands now: services by online level, and the eligible ones (3.1, M5)."""
    full = PublicService.online_level == OnlineLevel.FULL
    eligible = Procedure.eligible_full_online.is_(True)
    counted = PublicService.state.in_(COUNTED_SERVICE_STATES)
    rows = db_session.execute(
        select(
            PublicService.agency_id,
            func.count().label("total"),
            func.sum(case((counted, 1), else_=0)).label("counted"),
            func.sum(case((full, 1), else_=0)).label("full"),
            func.sum(case((PublicService.online_level == OnlineLevel.PARTIAL, 1), else_=0)).label("partial"),
            func.sum(case((PublicService.online_level == OnlineLevel.NONE, 1), else_=0)).label("none"),
            func.sum(case((eligible, 1), else_=0)).label("eligible"),
            func.sum(case((and_(eligible, full), 1), else_=0)).label("eligible_full"),
        )
        .join(Procedure, Procedure.id == PublicService.procedure_id)
        .where(
            PublicService.state != ServiceState.WITHDRAWN, _agency_filter(PublicService.agency_id, agency_ids)
        )
        .group_by(PublicService.agency_id)
    ).all()
    result: dict[tuple[int | None, str], dict[str, int]] = {}
    names = ("total", "counted", "full", "partial", "none", "eligible", "eligible_full")
    for row in rows:
        values = {k: int(getattr(row, k) or 0) for k in names}
        result[(row.agency_id, "all")] = values
        total = result.setdefault((None, "all"), dict.fromkeys(names, 0))
        for k, v in values.items():
            total[k] += v
    return result
