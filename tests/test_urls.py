from newswatch.ingest.urls import clean_url, host_of


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
