"""URL normalisation: one address per article, whatever tracking a feed or a share button added."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["clean_url", "host_of"]

_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "_hs")
_TRACKING = frozenset(
    {"fbclid", "gclid", "dclid", "yclid", "msclkid", "igshid", "_ga", "_gl", "ncid", "cmpid", "ocid",
     "at_medium", "at_campaign", "ito", "from_rss", "xtor", "spm", "ref_src"}
)  # fmt: skip


def clean_url(url: str) -> str:
    """The address without tracking parameters or fragment, with scheme and host in lower case.

    >>> clean_url("HTTPS://News.Example/a?id=3&utm_source=rss&utm_medium=feed#top")
    'https://news.example/a?id=3'
    """
    parts = urlsplit(url.strip())
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in _TRACKING and not key.lower().startswith(_TRACKING_PREFIXES)
    ]
    netloc = parts.netloc.lower()
    if parts.scheme.lower() == "http" and netloc.endswith(":80"):
        netloc = netloc[:-3]
    if parts.scheme.lower() == "https" and netloc.endswith(":443"):
        netloc = netloc[:-4]
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), netloc, path, urlencode(query, doseq=True), ""))


def host_of(url: str | None) -> str | None:
    """The site an address belongs to, without ``www.``: the ``source`` of an article."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or None
