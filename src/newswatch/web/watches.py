"""Watches on the web: their pages, their Atom feeds, and managing them with the admin token.

HTML (:func:`routes`): ``/watches`` (every watch, and a form to add one), ``/watches/{id}`` (its
matches, newest match first, a page at a time; its delivery log; a form to remove it) and
``/watches/{id}/feed.atom``. The forms POST to ``/watches/add`` and ``/watches/{id}/remove`` with the
admin token as a form field.

JSON (:func:`api_routes`, under ``/api/v1``): ``GET /watches``, ``GET /watches/{id}`` (with its delivery
log), ``POST /watches`` (a JSON object: name, language, source, actor, type, pair, keyword, webhook) and
``DELETE /watches/{id}``. Changes need ``Authorization: Bearer <serve.admin_token>``; while that setting
is empty every change is refused (403). Reading is public, so a webhook is shown as its origin only (its
path may hold a secret).
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from newswatch.alerts import create_watch, delivery_data, watch_data
from newswatch.errors import QueryError, StoreError
from newswatch.settings import Settings
from newswatch.store.base import Store
from newswatch.store.live import Watch
from newswatch.store.queries import ArticleQuery
from newswatch.web import atom
from newswatch.web.api import api_json
from newswatch.web.filters import MAX_LIMIT
from newswatch.web.i18n import Ui
from newswatch.web.pages import _event_type_names, _items, _render, _ui_of, error_page

__all__ = ["api_routes", "routes"]

log = logging.getLogger(__name__)

PAGE_SIZE = 30
DELIVERIES_SHOWN = 50
_BODY_LIMIT = 64 * 1024  # a form or JSON body larger than this is refused
_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
_API_FIELDS = frozenset({"name", "language", "source", "actor", "type", "pair", "keyword", "webhook"})
_FIELDS = ("name", "language", "source", "actor", "type", "pair_a", "pair_b", "keyword", "webhook")


# --- shared -------------------------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _check_token(settings: Settings, given: str | None, lang: Ui | None = None) -> None:
    """Refuse a change (403) while ``serve.admin_token`` is empty, or (401) when ``given`` is not it."""
    expected = str(settings["serve.admin_token"])
    if not expected:
        disabled = "changes are disabled: serve.admin_token is not set"
        message = lang.t("watch_admin_disabled") if lang else disabled
        raise _Refused(403, message)
    if given is None or not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        raise _Refused(401, lang.t("watch_admin_wrong") if lang else "a valid admin token is needed")


def _watch_id(request: Request) -> int | None:
    text: str = request.path_params["id"]
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def _find(request: Request) -> Watch | None:
    watch_id = _watch_id(request)
    return None if watch_id is None else _store(request).get_watch(watch_id)


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > _BODY_LIMIT:
        raise _Refused(413, f"the body is larger than {_BODY_LIMIT} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > _BODY_LIMIT:
            raise _Refused(413, f"the body is larger than {_BODY_LIMIT} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _create(store: Store, fields: Mapping[str, Any]) -> tuple[Watch, int]:
    """A new watch from the fields of a form or JSON object (strings, ``pair`` a list of two)."""

    def text(name: str) -> str | None:
        value = fields.get(name)
        if value is not None and not isinstance(value, str):
            raise QueryError(f"{name}: give a text")
        return value

    pair_value = fields.get("pair")
    if pair_value is None and (text("pair_a") or text("pair_b")):
        pair_value = [text("pair_a") or "", text("pair_b") or ""]
    pair: tuple[str, str] | None = None
    if pair_value is not None:
        if not isinstance(pair_value, list) or len(pair_value) != 2:
            raise QueryError("pair: give two actor ids")
        if not all(isinstance(v, str) and v.strip() for v in pair_value):
            raise QueryError("pair: give two actor ids")
        pair = (pair_value[0].strip(), pair_value[1].strip())
    query = ArticleQuery(
        language=text("language"), source=text("source"), actor=text("actor"), event_type=text("type")
    )
    return create_watch(
        store, text("name") or "", query, pair=pair, keyword=text("keyword"), webhook=text("webhook")
    )


# --- HTML ---------------------------------------------------------------------------------------------


def _filters(watch: Watch, lang: Ui) -> list[tuple[str, str]]:
    """(label, value) of each filter the watch gives, in the reader's interface language."""
    query = watch.query
    shown: list[tuple[str, str]] = []
    if query.language:
        shown.append((lang.t("filter_language"), lang.language(query.language)))
    if query.source:
        shown.append((lang.t("filter_source"), query.source))
    if query.actor:
        shown.append((lang.t("filter_actor"), query.actor))
    if query.event_type:
        shown.append((lang.t("filter_type"), f"{lang.event_type(query.event_type)} ({query.event_type})"))
    if watch.pair:
        shown.append((lang.t("watch_pair"), " ↔ ".join(watch.pair)))
    if watch.keyword:
        shown.append((lang.t("watch_keyword"), watch.keyword))
    return shown


def _list_page(
    request: Request, *, status: int = 200, error: str | None = None, form: Mapping[str, str] | None = None
) -> Response:
    lang = _ui_of(request)
    found = _store(request).list_watches()
    return _render(
        request,
        "watches.html",
        status=status,
        watches=[(w, _filters(w, lang), watch_data(w)["webhook"]) for w in found],
        error=error,
        form={name: (form or {}).get(name, "") for name in _FIELDS},
        event_types=_event_type_names(),
    )


def watches_page(request: Request) -> Response:
    return _list_page(request)


def watch_page(request: Request) -> Response:
    lang = _ui_of(request)
    watch = _find(request)
    if watch is None:
        return error_page(request, 404, lang.t("watch_not_found"))
    store = _store(request)
    cursor = request.query_params.get("cursor") or None
    try:
        page = store.watch_articles(watch.id, cursor=cursor, limit=PAGE_SIZE)
    except QueryError as exc:
        return error_page(request, 400, str(exc))
    path = f"/watches/{watch.id}"
    return _render(
        request,
        "watch.html",
        watch=watch,
        filters=_filters(watch, lang),
        webhook=watch_data(watch)["webhook"],
        items=_items(store, page.items),
        older=f"{path}?cursor={quote(page.next, safe='')}" if page.next else None,
        newest=cursor is not None,
        path=path,
        deliveries=store.deliveries(watch.id, limit=DELIVERIES_SHOWN) if watch.webhook else [],
        atom=f"{path}/feed.atom",
    )


async def add_form(request: Request) -> Response:
    lang = _ui_of(request)
    form: dict[str, str] = {}
    try:
        form = dict(parse_qsl((await _body(request)).decode("utf-8", "replace"), max_num_fields=20))
        _check_token(request.app.state.settings, form.get("token"), lang)
        watch, _count = await run_in_threadpool(_create, _store(request), form)
    except _Refused as refused:
        return await run_in_threadpool(
            _list_page, request, status=refused.status, error=refused.message, form=form
        )
    except QueryError as exc:
        return await run_in_threadpool(_list_page, request, status=400, error=str(exc), form=form)
    except ValueError:  # too many fields
        return await run_in_threadpool(_list_page, request, status=400, error="bad form", form={})
    return RedirectResponse(f"/watches/{watch.id}", status_code=303)


async def remove_form(request: Request) -> Response:
    lang = _ui_of(request)
    try:
        form = dict(parse_qsl((await _body(request)).decode("utf-8", "replace"), max_num_fields=20))
        _check_token(request.app.state.settings, form.get("token"), lang)
    except _Refused as refused:
        return error_page(request, refused.status, refused.message, title_key="error_title")
    except ValueError:
        return error_page(request, 400, "bad form")
    watch = _find(request)
    if watch is None:
        return error_page(request, 404, lang.t("watch_not_found"))
    await run_in_threadpool(_store(request).remove_watch, str(watch.id))
    return RedirectResponse("/watches", status_code=303)


def watch_feed(request: Request) -> tuple[atom.Feed, Any]:
    watch = _find(request)
    if watch is None:
        raise atom.FeedError(404, f"no watch {request.path_params['id'][:40]!r}")
    params = request.query_params
    cursor = params.get("cursor") or None
    limit_text = params.get("limit") or str(PAGE_SIZE)
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT:
        raise atom.FeedError(400, f"limit: a whole number from 1 to {MAX_LIMIT}")
    limit = int(limit_text)
    page = _store(request).watch_articles(watch.id, cursor=cursor, limit=limit)
    path = f"/watches/{watch.id}"
    query = f"limit={limit}" if limit != PAGE_SIZE else ""
    feed = atom.Feed(f"{path}/feed.atom", query, path, f"newswatch: {watch.name}", page.next)
    return feed, page.items


def _feed_endpoint(request: Request) -> Response:
    if request.method not in ("GET", "HEAD"):
        return _text_error(405, f"method {request.method} not allowed: use GET", {"Allow": "GET, HEAD"})
    try:
        feed, items = watch_feed(request)
        body = atom.render(request, feed, items)
    except atom.FeedError as error:
        return _text_error(error.status, error.message)
    except QueryError as error:
        return _text_error(400, str(error))
    except StoreError:
        return _text_error(503, "the database could not answer; try again later")
    return Response(body, media_type=atom.CONTENT_TYPE)


def _text_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    line = "error: " + " ".join(message.split())[:500] + "\n"
    return Response(line, status, headers=headers, media_type="text/plain; charset=utf-8")


def routes() -> list[BaseRoute]:
    """The HTML pages, forms and Atom feed of watches (top level, before the pages' routes)."""
    return [
        Route("/watches", watches_page, name="watches"),
        Route("/watches/add", add_form, methods=["POST"], name="watch-add"),
        Route("/watches/{id}/feed.atom", _feed_endpoint, methods=_ALL_METHODS, name="atom-watch"),
        Route("/watches/{id}/remove", remove_form, methods=["POST"], name="watch-remove"),
        Route("/watches/{id}", watch_page, name="watch"),
    ]


# --- JSON API -----------------------------------------------------------------------------------------


def _api_error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    return api_json({"error": " ".join(message.split())[:500]}, status, headers)


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _one(store: Store, watch: Watch) -> dict[str, Any]:
    data = watch_data(watch)
    data["deliveries"] = [delivery_data(d) for d in store.deliveries(watch.id, limit=DELIVERIES_SHOWN)]
    return data


ApiHandler = Callable[[Request], Any]


def _guarded(allowed: tuple[str, ...], handler: ApiHandler) -> Callable[[Request], Any]:
    async def run(request: Request) -> Response:
        if request.method not in allowed:
            shown = ", ".join(allowed)
            return _api_error(405, f"method {request.method} not allowed: use {shown}", {"Allow": shown})
        try:
            result: Response = await handler(request)
            return result
        except _Refused as refused:
            headers = {"WWW-Authenticate": "Bearer"} if refused.status == 401 else None
            return _api_error(refused.status, refused.message, headers)
        except QueryError as exc:
            return _api_error(400, str(exc))
        except StoreError:
            log.exception("store error serving %s", request.url.path)
            return _api_error(503, "the database could not answer; try again later")

    return run


async def api_watches(request: Request) -> Response:
    store = _store(request)
    if request.method in ("GET", "HEAD"):
        found = await run_in_threadpool(store.list_watches)
        return api_json({"items": [watch_data(w) for w in found]})
    _check_token(request.app.state.settings, _bearer(request))
    try:
        fields = json.loads(await _body(request))
    except ValueError:
        raise QueryError("the body is not a JSON object") from None
    if not isinstance(fields, dict):
        raise QueryError("the body is not a JSON object")
    unknown = sorted(
        set(fields) - {"name", "language", "source", "actor", "type", "pair", "keyword", "webhook"}
    )
    if unknown:
        raise QueryError(f"unknown field {unknown[0][:40]!r}")
    watch, count = await run_in_threadpool(_create, store, fields)
    data = watch_data(watch)
    data["matches"] = count
    return api_json(data, 201, {"Location": f"/api/v1/watches/{watch.id}"})


async def api_watch(request: Request) -> Response:
    store = _store(request)
    if request.method == "DELETE":
        _check_token(request.app.state.settings, _bearer(request))
    watch = await run_in_threadpool(_find, request)
    if watch is None:
        return _api_error(404, f"no watch {request.path_params['id'][:40]!r}")
    if request.method == "DELETE":
        await run_in_threadpool(store.remove_watch, str(watch.id))
        return api_json({"removed": watch_data(watch)})
    return api_json(await run_in_threadpool(_one, store, watch))


def api_routes() -> list[BaseRoute]:
    """The watches' API routes, relative to ``/api/v1`` (mounted before the API's catch-all)."""
    return [
        Route(
            "/watches",
            _guarded(("GET", "HEAD", "POST"), api_watches),
            methods=_ALL_METHODS,
            name="api-watches",
        ),
        Route(
            "/watches/{id}",
            _guarded(("GET", "HEAD", "DELETE"), api_watch),
            methods=_ALL_METHODS,
            name="api-watch",
        ),
    ]
