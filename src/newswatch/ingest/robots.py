"""robots.txt: whether a site lets newswatch fetch an address, asked before every request the poller makes.

A host's ``/robots.txt`` is fetched through the same guarded GET as everything else (the address checks,
timeouts, size and redirect limits of :mod:`newswatch.ingest.fetch`) and read with :mod:`urllib.robotparser`;
the agent matched is the ``fetch.user_agent`` setting (its first word, as robotparser compares it). The
answer is kept per host (scheme, host and port) for :data:`ROBOTS_TTL` seconds. What the answers mean
(RFC 9309):

* 2xx: the rules in the file;
* 4xx but 429 (404 above all): no rules, everything may be fetched;
* 429, 5xx, or no answer at all (timeout, refused connection, refused address, a file above the size
  limit): the site cannot say, so nothing of it is fetched now. :meth:`Robots.check` raises
  :class:`~newswatch.errors.FetchError` and the poller counts that as a failure of the source, which backs
  off and tries again later. The failure is kept for :data:`FAILURE_TTL` seconds so that one poll does not
  ask a failing host again for every article page.

``Crawl-delay`` is not read: the ``poll.host_delay`` setting spaces requests to one host.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.robotparser import RobotFileParser

import httpx

from newswatch.errors import BlockedURLError, FetchError
from newswatch.ingest.fetch import Response

__all__ = ["FAILURE_TTL", "ROBOTS_TTL", "Robots", "robots_url"]

#: Seconds a host's robots.txt answer is kept.
ROBOTS_TTL = 3600.0
#: Seconds a host whose robots.txt could not be read is left alone before asking again.
FAILURE_TTL = 60.0

#: GET one robots.txt address: the final answer, error statuses included (not raised); raises FetchError.
RobotsGetter = Callable[[str], Response]


@dataclass(frozen=True, slots=True)
class _Answer:
    rules: RobotFileParser | None  # None: everything allowed
    failure: str | None  # why the file could not be read; nothing is fetched meanwhile
    expires: float


def robots_url(url: str) -> str:
    """The robots.txt address governing ``url``: the same scheme, host and port, path ``/robots.txt``."""
    parsed = httpx.URL(url)
    return str(parsed.copy_with(path="/robots.txt", query=None, fragment=None, username=None, password=None))


def _rules(text: str) -> RobotFileParser:
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    return parser


class Robots:
    """A per-host cache of robots.txt answers, safe to share between threads.

    ``get`` fetches a robots.txt (the poller passes its polite, guarded GET with error statuses returned);
    ``clock`` is a monotonic clock in seconds.
    """

    def __init__(
        self,
        get: RobotsGetter,
        user_agent: str,
        *,
        ttl: float = ROBOTS_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._get = get
        self._agent = user_agent
        self._ttl = ttl
        self._clock = clock
        self._answers: dict[str, _Answer] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def _read(self, address: str) -> _Answer:
        now = self._clock()
        try:
            response = self._get(address)
        except FetchError as exc:
            return _Answer(None, f"robots.txt could not be read: {exc}", now + FAILURE_TTL)
        status = response.status
        if status == 429 or status >= 500:
            return _Answer(None, f"robots.txt answered HTTP {status}; trying later", now + FAILURE_TTL)
        if status >= 400 or response.raw is None:
            return _Answer(None, None, now + self._ttl)
        text = response.raw.data.decode("utf-8", errors="replace")
        return _Answer(_rules(text), None, now + self._ttl)

    def _answer(self, url: str) -> _Answer:
        address = robots_url(url)
        with self._lock(address):
            answer = self._answers.get(address)
            if answer is None or answer.expires <= self._clock():
                answer = self._read(address)
                self._answers[address] = answer
            return answer

    def check(self, url: str) -> None:
        """Return when ``url`` may be fetched; raise :class:`BlockedURLError` when robots.txt disallows it,
        :class:`FetchError` when the host's robots.txt cannot be read now."""
        try:
            answer = self._answer(url)
        except (httpx.InvalidURL, TypeError, ValueError):
            raise FetchError("not a valid URL") from None
        if answer.failure is not None:
            raise FetchError(answer.failure)
        if answer.rules is not None and not answer.rules.can_fetch(self._agent, url):
            raise BlockedURLError(f"robots.txt disallows it for {self._agent.split('/')[0]}")
