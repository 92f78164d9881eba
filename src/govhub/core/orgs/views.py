"""Organisation pages: the tree for everyone signed in, the create form for system administrators."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from govhub.core.auth.permissions import ORGS_MANAGE, ORGS_READ
from govhub.core.deps import get_db_session
from govhub.core.errors import Problem
from govhub.core.orgs import service
from govhub.core.orgs.models import Organisation, OrgKind
from govhub.core.orgs.schemas import OrganisationCreate
from govhub.core.pages import blank_to_none, checked_form, error_lines, flash, page_actor
from govhub.web.templating import render

router = APIRouter(include_in_schema=False)


def _tree(rows: list[Organisation]) -> list[tuple[int, Organisation]]:
    """Depth-first order with depth, so the page can indent units under their parent."""
    children: dict[int | None, list[Organisation]] = {}
    ids = {r.id for r in rows}
    for row in rows:
        parent = row.parent_id if row.parent_id in ids else None
        children.setdefault(parent, []).append(row)
    ordered: list[tuple[int, Organisation]] = []

    def walk(parent: int | None, depth: int) -> None:
        for child in sorted(children.get(parent, []), key=lambda o: o.code):
            ordered.append((depth, child))
            walk(child.id, depth + 1)

    walk(None, 0)
    return ordered


@router.get("/admin/organisations")
def organisations_page(
    request: Request, q: str | None = None, db_session: Session = Depends(get_db_session)
) -> Response:
    actor = page_actor(request, db_session, ORGS_READ)
    q = (q or "").strip()[:100] or None
    _total, rows = service.list_(db_session=db_session, q=q, limit=500)
    return render(
        request,
        "organisations.html",
        {
            "tree": _tree(rows) if not q else [(0, r) for r in rows],
            "q": q or "",
            "kinds": list(OrgKind),
            "all": rows,
            "can_manage": actor.can(ORGS_MANAGE),
        },
    )


@router.post("/admin/organisations")
async def create_organisation_page(
    request: Request, db_session: Session = Depends(get_db_session)
) -> Response:
    actor = page_actor(request, db_session, ORGS_MANAGE)
    form = blank_to_none(await checked_form(request))
    try:
        organisation_in = OrganisationCreate.model_validate(form)
        organisation = service.create(db_session=db_session, actor=actor, organisation_in=organisation_in)
    except ValidationError as exc:
        flash(request, "; ".join(error_lines(exc)), "error")
    except Problem as exc:
        if exc.status >= 500:
            raise
        flash(request, exc.detail, "error")
    else:
        flash(request, f"{organisation.code}: {organisation.name}")
    return RedirectResponse("/admin/organisations", status_code=303)
