"""A tiny real provider on loopback for tests that need the gateway to reach something."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import web


def _app() -> web.Application:
    async def person(request: web.Request) -> web.Response:
        return web.json_response({"id": request.match_info["id"], "full_name": "Phạm Văn An"})

    app = web.Application()
    app.router.add_get("/people/{id}", person)
    return app


@contextmanager
def running_provider() -> Iterator[str]:
    with serve_aiohttp(_app()) as url:
        yield url


@contextmanager
def serve_aiohttp(app: web.Application) -> Iterator[str]:
    """Runs a real aiohttp app on a free loopback port, in its own thread and event loop."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    ready = threading.Event()
    port: list[int] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        port.append(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield f"http://127.0.0.1:{port[0]}"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
