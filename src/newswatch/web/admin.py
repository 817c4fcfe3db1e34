"""Changing the live sources from the web: the only routes that write, each one behind the admin token.

The token is the setting ``serve.admin_token``; while it is empty every change is refused (403). The API
takes it as ``Authorization: Bearer <token>``; the forms of the sources page send it as the form field
``token`` — never from a cookie, so another site cannot make a visitor's browser post a change (no CSRF).
Tokens are compared in constant time (:func:`hmac.compare_digest`). What to add is decided exactly as by
``newswatch sources add`` (:func:`~newswatch.ingest.discover.resolve_source`: fetched within the fetch guards,
a page's feed discovered), unless the request asks for no check.

API (paths relative to ``/api/v1``): ``POST /sources`` with JSON ``{"url", "name", "language", "interval",
"check"}`` → 201 and the source; ``DELETE /sources/{id}`` → 204. HTML: ``POST /sources/add`` and
``POST /sources/{id}/remove`` → 303 back to ``/sources``.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import asdict
from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from newswatch.errors import FetchError, InputError, QueryError
from newswatch.ingest.discover import parse_interval, resolve_source
from newswatch.settings import Settings
from newswatch.store.base import Store
from newswatch.store.live import Source

__all__ = ["api_routes", "routes"]

_MAX_BODY = 64 * 1024
_FIELDS = ("url", "name", "language", "interval", "check")


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _check_token(request: Request, given: str | None) -> None:
    expected = str(_settings(request)["serve.admin_token"])
    if not expected:
        raise _Refused(403, "changes are disabled: no admin token is set (setting serve.admin_token)")
    if given is None or not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        raise _Refused(403, "wrong or missing admin token")


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > _MAX_BODY:
        raise _Refused(413, f"the request body is larger than {_MAX_BODY} bytes")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_BODY:
            raise _Refused(413, f"the request body is larger than {_MAX_BODY} bytes")
    return body


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise QueryError(f"{key} must be a string")
    return value.strip() or None


def _add(request: Request, data: dict[str, Any]) -> Source:
    """Add the source ``data`` describes (blocking: it may fetch); QueryError, InputError or FetchError."""
    unknown = sorted(set(data) - set(_FIELDS) - {"token"})
    if unknown:
        raise QueryError(f"unknown field: {unknown[0]}")
    url = _text(data, "url")
    if url is None:
        raise QueryError("url is required")
    interval = data.get("interval")
    if interval is None or interval == "":
        seconds = int(_settings(request)["poll.interval"])
    elif isinstance(interval, int | str):
        seconds = parse_interval(interval)
    else:
        raise QueryError("interval must be seconds (a number) or a text such as 15m")
    check = data.get("check", True)
    if check in ("0", "false", "no", "off"):
        check = False
    found = resolve_source(url, _settings(request), check=bool(check))
    return _store(request).add_source(
        found.url,
        name=_text(data, "name") or found.title,
        language=_text(data, "language"),
        interval=seconds,
        site=found.site,
    )


def _status(exc: Exception) -> int:
    if isinstance(exc, QueryError) and str(exc).startswith("already a source"):
        return 409
    return 400


# --- the API ------------------------------------------------------------------------------------------


def _api_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": " ".join(message.split())}, status_code=status)


async def api_add_source(request: Request) -> Response:
    try:
        _check_token(request, _bearer(request))
        body = await _body(request)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise QueryError("the body must be a JSON object") from None
        if not isinstance(data, dict):
            raise QueryError("the body must be a JSON object")
        source = await run_in_threadpool(_add, request, data)
    except _Refused as exc:
        return _api_error(exc.status, str(exc))
    except (QueryError, InputError, FetchError) as exc:
        return _api_error(_status(exc), str(exc))
    return JSONResponse(asdict(source), status_code=201)


async def api_remove_source(request: Request) -> Response:
    try:
        _check_token(request, _bearer(request))
    except _Refused as exc:
        return _api_error(exc.status, str(exc))
    removed = await run_in_threadpool(_store(request).remove_source, str(request.path_params["id"]))
    if removed is None:
        return _api_error(404, f"no source {request.path_params['id']}")
    return Response(status_code=204)


def api_routes() -> list[BaseRoute]:
    """Routes relative to ``/api/v1`` (to be mounted before the API's catch-all)."""
    return [
        Route("/sources", api_add_source, methods=["POST"], name="api_add_source"),
        Route("/sources/{id:int}", api_remove_source, methods=["DELETE"], name="api_remove_source"),
    ]


# --- the forms of the sources page ---------------------------------------------------------------------


def _page_error(request: Request, status: int, message: str) -> Response:
    from newswatch.web.pages import error_page

    return error_page(request, status, " ".join(message.split()))


async def _form(request: Request) -> dict[str, str]:
    body = await _body(request)
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20))
    except (UnicodeDecodeError, ValueError):
        raise QueryError("the form could not be read") from None


async def form_add_source(request: Request) -> Response:
    try:
        form = await _form(request)
        _check_token(request, form.get("token"))
        await run_in_threadpool(_add, request, {k: v for k, v in form.items() if k != "token"})
    except _Refused as exc:
        return _page_error(request, exc.status, str(exc))
    except (QueryError, InputError, FetchError) as exc:
        return _page_error(request, _status(exc), str(exc))
    return RedirectResponse("/sources", status_code=303)


async def form_remove_source(request: Request) -> Response:
    try:
        form = await _form(request)
        _check_token(request, form.get("token"))
    except _Refused as exc:
        return _page_error(request, exc.status, str(exc))
    except QueryError as exc:
        return _page_error(request, 400, str(exc))
    removed = await run_in_threadpool(_store(request).remove_source, str(request.path_params["id"]))
    if removed is None:
        return _page_error(request, 404, f"no source {request.path_params['id']}")
    return RedirectResponse("/sources", status_code=303)


def routes() -> list[BaseRoute]:
    """The HTML form targets (POST only), to be placed before the pages' routes."""
    return [
        Route("/sources/add", form_add_source, methods=["POST"], name="add_source"),
        Route("/sources/{id:int}/remove", form_remove_source, methods=["POST"], name="remove_source"),
    ]
