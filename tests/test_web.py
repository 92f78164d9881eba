"""The web shell: Vietnamese by default, English on request, Vietnamese number and date formats, sign-in."""

from __future__ import annotations

import datetime as dt
import re

from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from govhub.core import i18n
from govhub.core.auth.models import Role

from conftest import PASSWORD, World


def test_vietnamese_formats():
    assert i18n.percent(0.528, "vi") == "52,8%"
    assert i18n.number(68933, "vi") == "68.933"
    assert i18n.number(320839, "vi") == "320.839"
    assert i18n.date(dt.date(2022, 11, 20), "vi") == "20/11/2022"
    assert i18n.percent(0.528, "en") == "52.8%"
    assert i18n.number(68933, "en") == "68,933"
    # 23:30 UTC is already the next day in Hà Nội.
    assert i18n.date(dt.datetime(2022, 11, 19, 23, 30, tzinfo=dt.UTC), "vi") == "20/11/2022"


def test_every_message_has_a_vietnamese_translation():
    root = i18n.LOCALE_DIR
    with open(root / "messages.pot", "rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    with open(root / "vi" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        translated = {m.id for m in read_po(handle, locale="vi") if m.id and m.string}
    assert wanted - translated == set()


def test_home_is_vietnamese_by_default_and_english_on_request(client: TestClient):
    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="vi">' in page.text
    assert "Nền tảng chính phủ số" in page.text
    communes = re.search(r'data-testid="metric-communes">([^<]+)<', page.text).group(1)
    assert communes == "3.321"

    english = client.get("/lang/en?next=/", follow_redirects=True)
    assert '<html lang="en">' in english.text and "Digital government platform" in english.text
    assert re.search(r'data-testid="metric-communes">([^<]+)<', english.text).group(1) == "3,321"
    assert client.get("/lang/xx").status_code == 404


def test_login_needs_csrf_and_sets_a_session(client: TestClient, world: World):
    account = world.account(Role.SYSTEM_ADMIN)
    no_token = client.post("/login", data={"username": account.username, "password": PASSWORD})
    assert no_token.status_code == 403

    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    wrong = client.post(
        "/login", data={"username": account.username, "password": "nope", "csrf_token": token}
    )
    assert wrong.status_code == 401 and "Tên đăng nhập hoặc mật khẩu không đúng" in wrong.text

    ok = client.post(
        "/login",
        data={
            "username": account.username,
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/"
    me = client.get("/api/v1/me")
    assert me.json()["label"] == account.username

    # Cookie-authenticated API writes must carry the CSRF header of the (rotated) session token.
    no_header = client.post("/api/v1/keys", json={"name": "cookie key"})
    assert no_header.status_code == 403
    page = client.get("/account")
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    with_header = client.post("/api/v1/keys", json={"name": "cookie key"}, headers={"X-CSRF-Token": fresh})
    assert with_header.status_code == 201


def test_pages_need_sign_in_and_the_right_role(client: TestClient, world: World):
    assert (
        client.get("/admin/audit", headers={"Accept": "text/html"}, follow_redirects=False).status_code == 303
    )
    operator = world.account(Role.OPERATOR)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"username": operator.username, "password": PASSWORD, "csrf_token": token})
    denied = client.get("/admin/audit", headers={"Accept": "text/html"})
    assert denied.status_code == 403 and "<html" in denied.text


def test_operations_endpoints(client: TestClient):
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz").json()
    assert ready["status"] == "ok" and ready["revision"]
    client.get("/")
    metrics = client.get("/metrics").text
    assert "govhub_http_requests_total" in metrics
    assert client.get("/openapi.json").json()["info"]["title"] == "GovHub"


def test_security_headers(client: TestClient):
    response = client.get("/")
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in response.headers["content-security-policy"]
