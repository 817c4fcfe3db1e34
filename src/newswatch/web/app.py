"""The Starlette application: routes, security headers, error pages and the store it serves."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from newswatch.settings import Settings
from newswatch.store.base import Store

__all__ = ["CSP", "create_app"]

log = logging.getLogger(__name__)

#: Everything from our own origin only: no inline script, no inline style attributes, no framing, no
#: plugins. News text is escaped by the templates; this is the second line of defence.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class _SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in _HEADERS.items():
            response.headers.setdefault(name, value)
        return response


_MESSAGES = {404: "Not found", 405: "Method not allowed", 500: "Internal error; please report it"}


def _error(request: Request, status: int, message: str) -> Response:
    """The API's ``{"error": …}`` under ``/api/``, the friendly page everywhere else."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status)
    from newswatch.web.pages import error_page

    return error_page(request, status, message)


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    response = _error(request, status, _MESSAGES.get(status, "Error"))
    if status == 405:
        response.headers["Allow"] = "GET, HEAD"
    return response


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("internal error on %s", request.url.path, exc_info=exc)
    return _error(request, 500, _MESSAGES[500])


def create_app(store: Store, settings: Settings) -> Starlette:
    """The app serving ``store``. The store stays open for the app's life; the caller closes it."""
    from newswatch.web import admin, api, atom, pages, watches

    routes: list[BaseRoute] = [
        Mount("/static", app=StaticFiles(packages=[("newswatch.web", "static")]), name="static"),
        Mount("/api/v1", routes=[*admin.api_routes(), *watches.api_routes(), *api.routes()], name="api"),
        *atom.routes(),
        *admin.routes(),
        *watches.routes(),
        *pages.routes(),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(_SecurityHeaders)],
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
    app.state.store = store
    app.state.settings = settings
    return app
