import pytest

from newswatch.ingest.urls import clean_url, host_of, http_url


def test_tracking_parameters_and_fragment_removed() -> None:
    url = "HTTPS://News.Example:443/a/b?id=3&utm_source=rss&utm_medium=feed&fbclid=x#top"
    assert clean_url(url) == "https://news.example/a/b?id=3"


def test_meaningful_query_kept_in_order() -> None:
    assert clean_url("http://x.example/p?b=2&a=1") == "http://x.example/p?b=2&a=1"


def test_empty_path_becomes_slash() -> None:
    assert clean_url("https://x.example") == "https://x.example/"


def test_host_of() -> None:
    assert host_of("https://www.Caucasus-Wire.example/en/1") == "caucasus-wire.example"
    assert host_of(None) is None


@pytest.mark.parametrize(
    "url", ["http://[::1/x", "https://[bad/news/1", "http://x.example:abc/", "http://x.example:99999/"]
)
def test_malformed_addresses_give_none(url: str) -> None:
    assert clean_url(url) is None
    assert host_of(url) is None
    assert http_url(url) is None
    assert http_url("/news/1", base=url) is None


def test_valueless_keys_and_encoding_are_kept() -> None:
    assert clean_url("https://x.example/a?print&id=3&utm_source=rss") == "https://x.example/a?print&id=3"
    assert clean_url("https://x.example/s?q=peace%20talks&fbclid=1") == "https://x.example/s?q=peace%20talks"
    assert (
        clean_url("https://x.example/s?q=peace+talks&x=%C3%A9")
        == "https://x.example/s?q=peace+talks&x=%C3%A9"
    )
    # A tracking key is recognised however it is encoded.
    assert clean_url("https://x.example/s?utm%5Fsource=rss&id=1") == "https://x.example/s?id=1"


def test_userinfo_keeps_its_case() -> None:
    assert clean_url("https://Ann:S3cret@News.Example:443/a") == "https://Ann:S3cret@news.example/a"


def test_http_url_resolves_and_keeps_only_web_addresses() -> None:
    base = "https://news.example/en/feed.xml"
    assert http_url("/news/2", base) == "https://news.example/news/2"
    assert http_url(" item-3 ", base) == "https://news.example/en/item-3"
    assert http_url("HTTP://other.example/x") == "HTTP://other.example/x"
    assert http_url("/news/2") is None  # relative, and nothing to resolve it against
    for href in (
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "mailto:desk@news.example",
        "ftp://f.example/",
    ):
        assert http_url(href, base) is None, href
    assert http_url("https:///no-host") is None
    assert http_url("   ") is None and http_url(None) is None
