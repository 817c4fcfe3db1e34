"""URL normalisation: one address per article, whatever tracking a feed or a share button added.

Addresses come from untrusted pages and feeds, so nothing here raises on a malformed one
(``http://[::1/x``, a port that is not a number): such an address is no address, and the functions say
``None``.
"""

from __future__ import annotations

from urllib.parse import SplitResult, unquote_plus, urljoin, urlsplit, urlunsplit

__all__ = ["clean_url", "host_of", "http_url"]

_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "_hs")
_TRACKING = frozenset(
    {"fbclid", "gclid", "dclid", "yclid", "msclkid", "igshid", "_ga", "_gl", "ncid", "cmpid", "ocid",
     "at_medium", "at_campaign", "ito", "from_rss", "xtor", "spm", "ref_src"}
)  # fmt: skip
_DEFAULT_PORTS = {"http": ":80", "https": ":443"}


def _split(url: str) -> SplitResult | None:
    """``urlsplit``, or None for an address it cannot read (bad IPv6 brackets, a port that is no number)."""
    try:
        parts = urlsplit(url.strip())
        _ = parts.port  # raises ValueError for "host:abc" or a port out of range
    except ValueError:
        return None
    return parts


def _tracking(pair: str) -> bool:
    key = unquote_plus(pair.partition("=")[0]).lower()
    return key in _TRACKING or key.startswith(_TRACKING_PREFIXES)


def clean_url(url: str) -> str | None:
    """The address without tracking parameters or fragment, with scheme and host in lower case.

    The parameters that are kept stay exactly as written (``?print`` stays ``?print``, ``%20`` stays
    ``%20``), and so does any user name in front of the host. A malformed address gives None.

    >>> clean_url("HTTPS://News.Example/a?id=3&utm_source=rss&utm_medium=feed#top")
    'https://news.example/a?id=3'
    """
    parts = _split(url)
    if parts is None:
        return None
    scheme = parts.scheme.lower()
    query = "&".join(pair for pair in parts.query.split("&") if pair and not _tracking(pair))
    userinfo, at, host = parts.netloc.rpartition("@")
    host = host.lower()
    default_port = _DEFAULT_PORTS.get(scheme)
    if default_port and host.endswith(default_port):
        host = host.removesuffix(default_port)
    path = parts.path or "/"
    return urlunsplit((scheme, userinfo + at + host, path, query, ""))


def host_of(url: str | None) -> str | None:
    """The site an address belongs to, without ``www.``: the ``source`` of an article."""
    if not url:
        return None
    parts = _split(url)
    if parts is None:
        return None
    host = (parts.hostname or "").lower()
    return host.removeprefix("www.") or None


def http_url(href: str | None, base: str | None = None) -> str | None:
    """``href`` made absolute against ``base``, if the result is an http(s) address with a host.

    Anything else — ``javascript:``, ``data:``, ``mailto:``, a relative address with no base, a malformed
    one — gives None: only web addresses become links of an article.
    """
    if not href or not href.strip():
        return None
    try:
        url = urljoin(base, href.strip()) if base else href.strip()
    except ValueError:
        return None
    parts = _split(url)
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url
