"""The home page: a first look at what this installation holds, in the visitor's language."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from govhub.core.adminunits import service as adminunits
from govhub.core.auth import service as auth
from govhub.core.deps import get_db_session
from govhub.core.orgs import service as orgs
from govhub.core.pages import current_actor
from govhub.exchange import service as exchange
from govhub.services import service as services
from govhub.web.templating import render

router = APIRouter(include_in_schema=False)

REPORT_DAY = dt.date(2022, 11, 20)


@router.get("/")
def home(request: Request, db_session: Session = Depends(get_db_session)) -> Response:
    current_actor(request, db_session)
    today = dt.date.today()
    stats = {
        "organisations": orgs.count(db_session=db_session),
        "users": auth.count_users(db_session=db_session),
        "provinces_now": adminunits.count_provinces(db_session=db_session, on=today),
        "provinces_2022": adminunits.count_provinces(db_session=db_session, on=REPORT_DAY),
        "communes_now": adminunits.count_units(db_session=db_session, on=today, level="commune"),
        "communes_2022": adminunits.count_units(db_session=db_session, on=REPORT_DAY, level="commune"),
    }
    registry = exchange.overview(db_session=db_session)
    day_counts = exchange.total_transactions(
        db_session=db_session, start=today, end=today + dt.timedelta(days=1)
    )
    service_facts = {
        f.code: f
        for f in services.indicator_facts(db_session=db_session, periods=[today.strftime("%Y-%m")])
        if f.agency_id is None
    }
    full = service_facts.get("services.full_online_of_eligible")
    stats |= {
        "connected_organisations": registry["connected_organisations"],
        "providing_databases": registry["providing_national_databases"],
        "transactions_today": day_counts["total"],
        "full_online": full.numerator if full else 0,
        "eligible": full.denominator if full else 0,
    }
    return render(request, "home.html", {"stats": stats, "today": today})
