"""Dossiers walk every legal step, illegal ones are refused with 409, and the clock follows the legal rules."""

from __future__ import annotations

import datetime as dt

import pytest

from govhub.core.auth.models import Role
from govhub.core.database import Database
from govhub.core.errors import Conflict, Forbidden
from govhub.services import facts, service
from govhub.services import status as st
from govhub.services.calendar import LOCAL, Rules, WorkingCalendar
from govhub.services.models import Dossier
from govhub.services.schemas import DossierAction, DossierCreate, Rating
from services_support import citizen_actor, make_citizen, make_offer, user_actor

from conftest import World


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LOCAL)


@pytest.fixture
def desk(world: World, loaded_database: Database):
    """An agency with one end-to-end service, an operator working there and a citizen."""
    agency = world.organisation()
    operator = world.account(Role.OPERATOR, organisation_id=agency)
    offer = make_offer(loaded_database, agency_id=agency, fees=[{"name": "Lệ phí", "amount": 50000}])
    citizen_id, _national_id = make_citizen(loaded_database)
    return {
        "db": loaded_database,
        "agency": agency,
        "offer": offer,
        "officer": user_actor(loaded_database, operator.user_id),
        "citizen": citizen_actor(loaded_database, citizen_id),
    }


def file_dossier(desk, at: dt.datetime) -> int:
    with desk["db"].session() as session:
        dossier = service.create(
            db_session=session,
            actor=desk["citizen"],
            dossier_in=DossierCreate(public_service_id=desk["offer"]),
            at=at.astimezone(dt.UTC),
        )
        return dossier.id


def act(desk, dossier_id: int, action: str, at: dt.datetime, by: str = "officer", **extra) -> Dossier:
    note = extra.pop("note", "ghi chú")
    with desk["db"].session() as session:
        dossier = session.get(Dossier, dossier_id)
        service.transition(
            db_session=session,
            actor=desk[by],
            dossier=dossier,
            action_in=DossierAction(action=action, note=note, **extra),
            at=at.astimezone(dt.UTC),
        )
        return dossier


def refused_everything_else(desk, dossier_id: int, at: dt.datetime) -> None:
    """Every action the current status does not allow is refused with a 409, and nothing changes."""
    with desk["db"].session() as session:
        current = session.get(Dossier, dossier_id).status
    for action, transition in st.TRANSITIONS.items():
        if current in transition.sources:
            continue
        by = "citizen" if transition.by == st.CITIZEN else "officer"
        with pytest.raises(Conflict) as refused:
            act(desk, dossier_id, action, at, by=by, new_due_at=at + dt.timedelta(days=30))
        assert refused.value.status == 409 and "not allowed" in refused.value.detail
    with desk["db"].session() as session:
        assert session.get(Dossier, dossier_id).status == current


def test_public_holidays_include_tet():
    calendar = WorkingCalendar(Rules())
    for day in range(16, 21):
        assert not calendar.is_working_day(dt.date(2026, 2, day)), day
    assert calendar.is_working_day(dt.date(2026, 2, 23))


def test_deadline_across_tet_and_a_weekend_and_the_cutoff():
    calendar = WorkingCalendar(Rules())
    # Thursday 12/02/2026 10:00: day 1 is Friday 13th, then the weekend and Tết (16–20), then 23–26.
    due = calendar.due(local(2026, 2, 12, 10, 0), 5, "working_days")
    assert due == local(2026, 2, 26, 17, 0)
    # After the 15:00 cut-off the clock starts on the next working day: one day later.
    assert calendar.due(local(2026, 2, 12, 15, 30), 5, "working_days") == local(2026, 2, 27, 17, 0)
    # Friday after the cut-off, 1 working day: Monday starts the clock, Tuesday is the deadline.
    assert calendar.due(local(2026, 3, 6, 16, 0), 1, "working_days") == local(2026, 3, 10, 17, 0)
    # 8 working hours from Friday 14:00: 3 hours on Friday, 5 on Monday.
    assert calendar.due(local(2026, 3, 6, 14, 0), 8, "hours") == local(2026, 3, 9, 13, 0)
    # Calendar days that end on a day off move to the next working day (15/02 is a Sunday in Tết).
    assert calendar.due(local(2026, 2, 5, 9, 0), 10, "days") == local(2026, 2, 23, 17, 0)


def test_configured_days_off_and_make_up_working_days():
    rules = Rules(extra_days_off=("2026-03-10",), extra_working_days=("2026-03-14",))
    calendar = WorkingCalendar(rules)
    assert not calendar.is_working_day(dt.date(2026, 3, 10))
    assert calendar.is_working_day(dt.date(2026, 3, 14))
    assert calendar.due(local(2026, 3, 9, 9, 0), 4, "working_days") == local(2026, 3, 14, 17, 0)


def test_every_legal_transition_and_every_illegal_one_refused(desk):
    at = local(2026, 3, 2, 9, 0)
    # Full path: submitted → received → processing → supplement → processing → fees → processing → done → returned.
    d = file_dossier(desk, at)
    steps = [
        ("receive", "officer", {}),
        ("start", "officer", {}),
        ("request_supplement", "officer", {}),
        ("supplement", "citizen", {}),
        ("request_payment", "officer", {}),
        ("confirm_payment", "officer", {"paid_online": True}),
        ("approve", "officer", {"electronic_result": True, "result_code": "KQ-1"}),
        ("return_result", "officer", {}),
    ]
    refused_everything_else(desk, d, at)
    for hours, (action, by, extra) in enumerate(steps, start=1):
        dossier = act(desk, d, action, at + dt.timedelta(hours=hours), by=by, **extra)
        assert dossier.status == st.TRANSITIONS[action].target
        refused_everything_else(desk, d, at + dt.timedelta(hours=hours))
    assert dossier.status == st.RETURNED and dossier.timeliness == "early" and dossier.paid_online

    # Refused at intake (3), withdrawn after receipt (7 → 8), stopped as ineligible (4 → 8).
    refused = file_dossier(desk, at)
    assert act(desk, refused, "refuse", at).status == st.REFUSED
    refused_everything_else(desk, refused, at)
    withdrawn = file_dossier(desk, at)
    act(desk, withdrawn, "receive", at)
    assert act(desk, withdrawn, "withdraw", at, by="citizen").status == st.WITHDRAWAL
    refused_everything_else(desk, withdrawn, at)
    stopped = act(desk, withdrawn, "confirm_withdrawal", at)
    assert stopped.status == st.STOPPED and stopped.withdrawn
    ineligible = file_dossier(desk, at)
    for action in ("receive", "start", "reject"):
        dossier = act(desk, ineligible, action, at)
    assert dossier.status == st.STOPPED and not dossier.withdrawn

    with desk["db"].session() as session:
        history = service.events(db_session=session, dossier=session.get(Dossier, d))
        assert [e.action for e in history] == ["create", "submit"] + [s[0] for s in steps]
        assert history[1].actor_kind == "citizen" and history[2].actor_kind == "user"


def test_the_citizen_and_the_officer_each_keep_to_their_own_steps(desk):
    at = local(2026, 3, 2, 9, 0)
    d = file_dossier(desk, at)
    with pytest.raises(Forbidden):
        act(desk, d, "receive", at, by="citizen")
    act(desk, d, "receive", at)
    act(desk, d, "start", at)
    with pytest.raises(Forbidden):
        act(desk, d, "approve", at, by="citizen")


def test_a_supplement_restarts_the_clock(desk):
    d = file_dossier(desk, local(2026, 3, 2, 9, 0))
    dossier = act(desk, d, "receive", local(2026, 3, 2, 9, 0))
    assert dossier.due_at == local(2026, 3, 9, 17, 0)  # Monday + 5 working days
    act(desk, d, "start", local(2026, 3, 2, 10, 0))
    act(desk, d, "request_supplement", local(2026, 3, 4, 10, 0), note="Thiếu bản sao giấy khai sinh")
    dossier = act(desk, d, "supplement", local(2026, 3, 10, 10, 0), by="citizen")
    assert dossier.due_at == local(2026, 3, 17, 17, 0)  # five full working days again from 10/03
    assert dossier.due_at_original == local(2026, 3, 9, 17, 0)
    dossier = act(desk, d, "approve", local(2026, 3, 16, 11, 0), electronic_result=True)
    assert dossier.timeliness == "early"


def test_a_second_supplement_request_makes_the_dossier_late(desk):
    d = file_dossier(desk, local(2026, 3, 2, 9, 0))
    act(desk, d, "receive", local(2026, 3, 2, 9, 0))
    act(desk, d, "start", local(2026, 3, 2, 9, 30))
    for day in (3, 5):
        act(desk, d, "request_supplement", local(2026, 3, day, 9, 0))
        act(desk, d, "supplement", local(2026, 3, day, 14, 0), by="citizen")
    with desk["db"].session() as session:
        assert service.open_timeliness(session.get(Dossier, d), local(2026, 3, 5, 15, 0)) == "overdue"
    dossier = act(desk, d, "approve", local(2026, 3, 6, 9, 0))
    assert dossier.forced_late and dossier.timeliness == "late"


def test_one_apology_is_allowed_and_a_second_refused(desk):
    d = file_dossier(desk, local(2026, 3, 2, 9, 0))
    act(desk, d, "receive", local(2026, 3, 2, 9, 0))
    act(desk, d, "start", local(2026, 3, 2, 9, 30))
    # Due 09/03 17:00; the apology must come at least 24 hours before.
    with pytest.raises(Conflict, match="at least 24 hours"):
        act(desk, d, "reschedule", local(2026, 3, 9, 9, 0), new_due_at=local(2026, 3, 12, 17, 0))
    dossier = act(
        desk, d, "reschedule", local(2026, 3, 6, 9, 0), new_due_at=local(2026, 3, 12, 17, 0), note="Xin lỗi"
    )
    assert dossier.due_at == local(2026, 3, 12, 17, 0) and dossier.extension_count == 1
    assert dossier.due_at_original == local(2026, 3, 9, 17, 0)
    with pytest.raises(Conflict, match="only 1 time"):
        act(desk, d, "reschedule", local(2026, 3, 7, 9, 0), new_due_at=local(2026, 3, 13, 17, 0))
    dossier = act(desk, d, "approve", local(2026, 3, 12, 10, 0))
    assert dossier.timeliness == "on_time"


def test_late_finish_and_rating(desk):
    d = file_dossier(desk, local(2026, 3, 2, 9, 0))
    act(desk, d, "receive", local(2026, 3, 2, 9, 0))
    act(desk, d, "start", local(2026, 3, 2, 9, 30))
    assert act(desk, d, "approve", local(2026, 3, 10, 9, 0)).timeliness == "late"
    with desk["db"].session() as session:
        dossier = session.get(Dossier, d)
        service.rate(db_session=session, actor=desk["citizen"], dossier=dossier, rating_in=Rating(rating=2))
        with pytest.raises(Conflict):
            service.rate(
                db_session=session, actor=desk["citizen"], dossier=dossier, rating_in=Rating(rating=5)
            )


def test_counters_kept_in_step_equal_a_rebuild(desk):
    at = local(2026, 4, 1, 9, 0)
    for n in range(3):
        d = file_dossier(desk, at)
        act(desk, d, "receive", at)
        if n:
            act(desk, d, "start", at)
            act(desk, d, "approve", at + dt.timedelta(days=n), electronic_result=bool(n % 2))
    with desk["db"].session() as session:
        incremental = facts.compute(db_session=session, periods=["2026-04"], agency_ids={desk["agency"]})
        facts.rebuild(db_session=session, periods=["2026-04"])
        rebuilt = facts.compute(db_session=session, periods=["2026-04"], agency_ids={desk["agency"]})
    assert incremental == rebuilt
    by_code = {(f.code, f.agency_id): f for f in rebuilt}
    received = by_code[("dossiers.received", desk["agency"])]
    assert (received.numerator, received.denominator) == (3, 3)
    online = by_code[("dossiers.channel.online", desk["agency"])]
    assert (online.numerator, online.denominator) == (3, 3)
    assert by_code[("services.with_online_dossier", desk["agency"])].numerator == 1
    assert by_code[("dossiers.finished_early", desk["agency"])].denominator == 2
    assert by_code[("dossiers.open_within_time", None)].denominator >= 1
