"""The OpenAPI 3.1 document of the JSON API (:mod:`newswatch.web.api`), served at ``/api/v1/openapi.json``.

Written by hand as Python data so that it says what the API means, not only what its types are; a test
checks it against the OpenAPI 3.1 schema and against :func:`newswatch.web.api.routes` (every route
documented, every documented path answering). The article record's fields are those of docs/record.md.
"""

from __future__ import annotations

from typing import Any

from newswatch.web.filters import MAX_LIMIT

__all__ = ["document"]

JSON = dict[str, Any]


def _ref(name: str) -> JSON:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, description: str = "", **extra: Any) -> JSON:
    schema: JSON = {"type": [kind, "null"], **extra}
    if description:
        schema["description"] = description
    return schema


def _text(description: str = "", **extra: Any) -> JSON:
    schema: JSON = {"type": "string", **extra}
    if description:
        schema["description"] = description
    return schema


def _object(properties: dict[str, JSON], description: str = "", *, optional: tuple[str, ...] = ()) -> JSON:
    schema: JSON = {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
    }
    if description:
        schema["description"] = description
    return schema


def _array(items: JSON, description: str = "") -> JSON:
    schema: JSON = {"type": "array", "items": items}
    if description:
        schema["description"] = description
    return schema


def _page(item: str, description: str) -> JSON:
    return _object(
        {
            "items": _array(_ref(item)),
            "next": _nullable("string", "Give back as `cursor` for the next page; null on the last page."),
            "next_url": _nullable("string", "The address of the next page (this one's filters kept)."),
        },
        description,
    )


_LINKS = {
    "api_url": _text("This item in the API (a path)."),
    "html_url": _text("This item's web page (a path)."),
}

_SCHEMAS: dict[str, JSON] = {
    "Error": _object({"error": _text("What was wrong, in one line.")}),
    "Translation": _object(
        {
            "language": _text("ISO 639-1 code."),
            "url": _nullable("string", "http(s) address, or null."),
            "title": _nullable("string"),
            "id": _nullable("string", "The version's article id when it is stored."),
        }
    ),
    "Link": _object(
        {
            "title": _text(),
            "url": _nullable("string", "http(s) address, or null."),
            "id": _nullable("string", "The linked article's id when it is stored."),
            "story": _nullable("string", "The linked article's story id."),
        }
    ),
    "Mention": _object({"start": {"type": "integer"}, "end": {"type": "integer"}, "text": _text()}),
    "Actor": _object(
        {
            "id": _text("Actor id: ISO 3166-1 alpha-3 for countries, a slug otherwise."),
            "name": _text(),
            "type": {"enum": ["country", "organization", "person", "place"]},
            "country": _nullable("string", "Affiliation (an actor id)."),
            "role": _nullable("string"),
            "mentions": _array(_ref("Mention")),
        }
    ),
    "Quote": _object(
        {
            "speaker": _nullable("string", "Actor id of the speaker."),
            "text": _text(),
            "start": {"type": "integer"},
            "end": {"type": "integer"},
            "direct": {"type": "boolean"},
            "cue": _nullable("string"),
        }
    ),
    "Event": _object(
        {
            "type": _text("PLOVER event type."),
            "cameo": _text("Nearest CAMEO code."),
            "source": _text("Actor id."),
            "target": _nullable("string", "Actor id."),
            "date": _nullable("string", "ISO date."),
            "location": _nullable("string", "Place id."),
            "sentence": _text(),
            "start": {"type": "integer"},
            "end": {"type": "integer"},
            "confidence": {"type": "number"},
            "negated": {"type": "boolean"},
            "claimed_by": _nullable("string", "Actor id of who claims it."),
        }
    ),
    "Article": _object(
        {
            "id": _text("Stable identifier (16 hex)."),
            "text": _text("The clean article text."),
            "url": _nullable("string", "The article's http(s) address."),
            "source": _nullable("string", "The site it came from."),
            "title": _nullable("string"),
            "author": _nullable("string"),
            "language": _nullable("string", "ISO 639-1 code."),
            "published": _nullable("string", "ISO 8601 date or datetime, as precise as the source."),
            "published_precision": {"enum": ["datetime", "date", "inferred-year", None]},
            "translations": _array(_ref("Translation"), "Versions in other languages."),
            "related": _array(_ref("Link"), "Read-more links and the most related stories."),
            "actors": _array(_ref("Actor")),
            "quotes": _array(_ref("Quote")),
            "events": _array(_ref("Event")),
            "story": _nullable("string", "The id of the story it belongs to."),
        },
        "The article record as served (docs/record.md), with its story.",
    ),
    "ArticleSummary": _object(
        {
            "id": _text(),
            "title": _nullable("string"),
            "url": _nullable("string", "The original's http(s) address."),
            "source": _nullable("string"),
            "language": _nullable("string"),
            "published": _nullable("string"),
            "lead": _text("The first ~300 characters of the text, cut at a word."),
            "story": _nullable("string"),
            **_LINKS,
            "snippet": _text("Search only: the matched passage as plain text."),
            "matches": _array(
                {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2},
                "Search only: [start, end) offsets (code points) of the matched words in `snippet`.",
            ),
            "snippet_html": _text("Search only: `snippet` HTML-escaped, matched words in <mark>."),
            "rank": {"type": "number", "description": "Search only: higher is better."},
        },
        "An article as lists show it.",
        optional=("snippet", "matches", "snippet_html", "rank"),
    ),
    "ArticlePage": _page("ArticleSummary", "One page of articles."),
    "StoryMember": _object(
        {
            "id": _text(),
            "title": _nullable("string"),
            "url": _nullable("string"),
            "language": _nullable("string"),
            "source": _nullable("string"),
            "published": _nullable("string"),
            **_LINKS,
        }
    ),
    "Story": _object(
        {
            "id": _text("s- and the id of its earliest article."),
            "first_seen": _nullable("string", "The earliest `published` of its articles."),
            "size": {"type": "integer"},
            "sources": _array(_text()),
            "languages": _array(_text()),
            "representative": _ref("StoryMember"),
            "members": _array(_ref("StoryMember"), "Publication order."),
            **_LINKS,
        }
    ),
    "StoryPage": _page("Story", "One page of stories, newest first."),
    "StoryEvent": _object(
        {
            "event": _ref("Event"),
            "reports": _array(_object({"article": _text(), "index": {"type": "integer"}})),
        },
        "A distinct event of a story with every report of it (article id, index in its events).",
    ),
    "StoryDetail": {
        "allOf": [
            _ref("Story"),
            _object({"events": _array(_ref("StoryEvent"), "Each event once, by date.")}),
        ]
    },
    "EventArticle": _object(
        {"id": _text(), "title": _nullable("string"), "url": _nullable("string"), **_LINKS}
    ),
    "EventItem": _object({"event": _ref("Event"), "article": _ref("EventArticle")}),
    "EventPage": _page("EventItem", "One page of events, oldest first."),
    "DayCount": _object(
        {"day": _text("YYYY-MM-DD."), "type": _text("PLOVER type."), "count": {"type": "integer"}}
    ),
    "QuoteHit": _object({"quote": _ref("Quote"), "article": _ref("ArticleSummary")}),
    "ActorInfo": _object(
        {
            "id": _text(),
            "name": _nullable("string", "English display name (null when the gazetteer does not know it)."),
            "type": _nullable("string"),
            "country": _nullable("string"),
            "html_url": _text(),
            "feed_url": _text(),
        }
    ),
    "ActorView": _object(
        {
            "actor": _ref("ActorInfo"),
            "since": _nullable("string"),
            "until": _nullable("string"),
            "event_counts": _array(_ref("DayCount"), "Events per day and type, by day then type."),
            "quotes": _array(_ref("QuoteHit"), "Latest quotes, newest article first."),
            "events": _array(_ref("EventItem"), "Latest events, newest first."),
        }
    ),
    "PairView": _object(
        {
            "actors": _array(_ref("ActorInfo")),
            "since": _nullable("string"),
            "until": _nullable("string"),
            "event_counts": _array(_ref("DayCount"), "Events between the two, either way, per day/type."),
            "events": _array(_ref("EventItem"), "Latest events between the two, newest first."),
            "html_url": _text(),
            "feed_url": _text(),
        }
    ),
    "Source": _object(
        {
            "source": _text(),
            "articles": {"type": "integer"},
            "latest": _nullable("string", "Newest `published`."),
            "last_seen": _nullable("string", "When an article of it was last stored (UTC)."),
            "last_fetch": _nullable("string"),
            "error": _nullable("string"),
            "feed_url": _text(),
        }
    ),
    "SourcePage": _page("Source", "Every source, most articles first (one page)."),
    "LiveSource": _object(
        {
            "id": {"type": "integer"},
            "url": _text("The address polled: a feed, or a page when the site has none."),
            "name": _nullable("string"),
            "language": _nullable("string"),
            "interval": {"type": "integer", "description": "Seconds between polls."},
            "site": _nullable("string", "The home page the feed was found on."),
            "added": _text(),
            "next_poll": _text(),
            "etag": _nullable("string"),
            "last_modified": _nullable("string"),
            "last_fetch": _nullable("string"),
            "last_status": _nullable("integer"),
            "last_error": _nullable("string"),
            "errors": {"type": "integer", "description": "Failures in a row."},
            "last_new": _nullable("string"),
        },
        "A live source as stored.",
    ),
    "NewSource": _object(
        {
            "url": _text("A feed or a site's home page (its feed is discovered)."),
            "name": _nullable("string"),
            "language": _nullable("string"),
            "interval": {"type": ["integer", "string", "null"], "description": "Seconds, or 15m / 2h."},
            "check": {"type": "boolean", "description": "Fetch the address first (default true)."},
        },
        "A source to add.",
        optional=("name", "language", "interval", "check"),
    ),
    "Watch": {
        "type": "object",
        "description": "A saved query; its matches are on `html_url` and `feed_url`.",
        "required": ["id", "name", "added", "html_url", "feed_url"],
        "properties": {
            "id": {"type": "integer"},
            "name": _text(),
            "language": _nullable("string"),
            "source": _nullable("string"),
            "actor": _nullable("string"),
            "type": _nullable("string"),
            "pair": {"type": ["array", "null"], "items": {"type": "string"}},
            "keyword": _nullable("string"),
            "webhook": _nullable("string", "The receiver's origin only (its path may hold a secret)."),
            "added": _text(),
            "html_url": _text(),
            "feed_url": _text(),
            "matches": {
                "type": "integer",
                "description": "On creation: matches found among stored articles.",
            },
            "deliveries": {"type": "array", "items": {"type": "object"}, "description": "The delivery log."},
        },
    },
    "WatchList": _object({"items": _array(_ref("Watch"))}, "Every watch."),
    "NewWatch": {
        "type": "object",
        "description": "A watch to add: a name and at least one filter.",
        "required": ["name"],
        "properties": {
            "name": _text(),
            "language": _nullable("string"),
            "source": _nullable("string"),
            "actor": _nullable("string"),
            "type": _nullable("string"),
            "pair": {"type": ["array", "null"], "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
            "keyword": _nullable("string"),
            "webhook": _nullable("string", "An http(s) address that receives each new match as a JSON POST."),
        },
    },
}


def _param(name: str, where: str, description: str, schema: JSON | None = None) -> JSON:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema or {"type": "string"},
    }


_PARAMETERS: dict[str, JSON] = {
    "language": _param("language", "query", "ISO 639-1 code of the article's language."),
    "source": _param("source", "query", "The site, e.g. news.example."),
    "actor": _param("actor", "query", "An actor id the article mentions (or the event involves)."),
    "type": _param("type", "query", "A PLOVER event type the article reports (not negated)."),
    "since": _param("since", "query", "ISO date: on or after it.", {"type": "string", "format": "date"}),
    "until": _param(
        "until", "query", "ISO date: on or before it (the whole day).", {"type": "string", "format": "date"}
    ),
    "cursor": _param("cursor", "query", "The `next` of the previous page."),
    "limit": _param(
        "limit", "query", "Items per page.", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}
    ),
    "q": _param("q", "query", "The words to search for (inflected forms found too)."),
    "pair": _param("pair", "query", "Two actor ids with a comma (ARM,AZE): events between them."),
    "id": _param("id", "path", "The id."),
    "a": _param("a", "path", "An actor id."),
    "b": _param("b", "path", "The other actor id."),
}


def _p(*names: str) -> list[JSON]:
    return [{"$ref": f"#/components/parameters/{name}"} for name in names]


def _get(summary: str, description: str, schema: JSON, parameters: list[JSON], *codes: int) -> JSON:
    responses: JSON = {
        "200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
        "400": {"$ref": "#/components/responses/BadRequest"},
        "405": {"$ref": "#/components/responses/MethodNotAllowed"},
        "503": {"$ref": "#/components/responses/Unavailable"},
    }
    for code in codes:
        responses[str(code)] = {"$ref": "#/components/responses/NotFound"}
    return {
        "get": {
            "summary": summary,
            "description": description,
            "operationId": summary.lower().replace(" ", "_").replace("'", ""),
            "parameters": parameters,
            "responses": dict(sorted(responses.items())),
        }
    }


_FILTERS = ("language", "source", "actor", "type", "since", "until", "cursor", "limit")

_PATHS: dict[str, JSON] = {
    "/articles": _get(
        "List articles",
        "Articles matching the filters, newest `published` first (undated last), a page at a time.",
        _ref("ArticlePage"),
        _p(*_FILTERS),
    ),
    "/articles/{id}": _get(
        "Get article",
        "The full record as served: its versions and related stories filled in, and its story.",
        _ref("Article"),
        _p("id"),
        404,
    ),
    "/search": _get(
        "Search articles",
        "Full text over title and text, inflected Russian and Armenian forms included; best first. "
        "Each item has `snippet` (plain text) with `matches` offsets and `snippet_html` (escaped).",
        _ref("ArticlePage"),
        _p("q", *_FILTERS),
    ),
    "/stories": _get(
        "List stories",
        "Stories newest first (by their earliest article). The cursor remembers the last story given; "
        "a list that changed so much that it is gone answers 400: start again.",
        _ref("StoryPage"),
        _p("language", "since", "cursor", "limit"),
    ),
    "/stories/{id}": _get(
        "Get story",
        "A story with its members and its events, each counted once with its reports. An old story id "
        "leads to the story that holds its article now.",
        _ref("StoryDetail"),
        _p("id"),
        404,
    ),
    "/events": _get(
        "List events",
        "Coded events, oldest first (negated ones left out); `since` is on the event's date.",
        _ref("EventPage"),
        _p("actor", "pair", "type", "since", "cursor", "limit"),
    ),
    "/actors/{id}": _get(
        "Get actor",
        "Events per day and type over `since`..`until`, the latest quotes and events (`limit` each).",
        _ref("ActorView"),
        _p("id", "since", "until", "limit"),
        404,
    ),
    "/pairs/{a}/{b}": _get(
        "Get pair",
        "Events between two actors (either way): per day and type, and the latest (`limit`).",
        _ref("PairView"),
        _p("a", "b", "since", "until", "limit"),
        404,
    ),
    "/sources": _get("List sources", "Every source with its health.", _ref("SourcePage"), []),
    "/openapi.json": _get("Get OpenAPI document", "This document.", {"type": "object"}, []),
    "/watches": _get("List watches", "Every watch (saved query).", _ref("WatchList"), []),
    "/watches/{id}": _get("Get watch", "A watch with its delivery log.", _ref("Watch"), _p("id"), 404),
    "/sources/{id}": {},
}

_ADMIN: list[JSON] = [{"bearer": []}]
_DENIED = {
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "403": {"$ref": "#/components/responses/Forbidden"},
}


def _change(summary: str, description: str, body: str | None, ok: str, ok_schema: str | None) -> JSON:
    """An operation that changes data: it needs the admin token (``Authorization: Bearer …``)."""
    responses: JSON = {
        ok: {"description": "Done"}
        if ok_schema is None
        else {"description": "Created", "content": {"application/json": {"schema": _ref(ok_schema)}}},
        "400": {"$ref": "#/components/responses/BadRequest"},
        **_DENIED,
    }
    operation: JSON = {
        "summary": summary,
        "description": description,
        "operationId": summary.lower().replace(" ", "_"),
        "security": _ADMIN,
        "responses": dict(sorted(responses.items())),
    }
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(body)}},
        }
    return operation


_PATHS["/sources"]["post"] = _change(
    "Add source",
    "Add a live source (a feed, or a home page whose feed is found).",
    "NewSource",
    "201",
    "LiveSource",
)
_PATHS["/sources/{id}"]["delete"] = {
    **_change("Remove source", "Stop polling a live source (its articles stay).", None, "204", None),
    "parameters": _p("id"),
}
_PATHS["/watches"]["post"] = _change(
    "Add watch",
    "Add a watch; its matches among stored articles are found at once (no alerts for those).",
    "NewWatch",
    "201",
    "Watch",
)
_PATHS["/watches/{id}"]["delete"] = {
    **_change("Remove watch", "Remove a watch and its matches.", None, "204", None),
    "parameters": _p("id"),
}


def _response(description: str) -> JSON:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document (JSON-ready; its parts are shared between calls: do not change them)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "newswatch API",
            "version": "1",
            "description": "JSON over the newswatch store. Lists answer `{items, next, next_url}`; "
            "errors answer `{error}`. Reading is open; adding and removing sources and watches needs the "
            "admin token (`Authorization: Bearer …`).",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": _PATHS,
        "components": {
            "schemas": _SCHEMAS,
            "parameters": _PARAMETERS,
            "responses": {
                "BadRequest": _response("A parameter that cannot be used, or an unknown one."),
                "NotFound": _response("No such id."),
                "MethodNotAllowed": _response("Only GET and HEAD."),
                "Unavailable": _response("The database could not answer."),
                "Unauthorized": _response("No admin token, or a wrong one."),
                "Forbidden": _response("Changes are off: no admin token is set on the server."),
            },
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The server's `serve.admin_token` setting.",
                }
            },
        },
    }
