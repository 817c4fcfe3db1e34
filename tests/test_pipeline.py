import pytest

from newswatch.errors import EmptyInputError, InputTooLargeError, MalformedInputError
from newswatch.model import RawInput
from newswatch.pipeline import process, sniff


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>', "feed"),
        (b"\xef\xbb\xbf<feed xmlns='http://www.w3.org/2005/Atom'></feed>", "feed"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "feed"),
        (b"<!doctype html><html><body><p>x</p></body></html>", "html"),
        (b'<meta charset="utf-8"><title>x</title><section><p>a</p></section>', "html"),
        (b"<!-- saved page --><html><body>x</body></html>", "html"),
        (b"January 28\nShow news feed\n\nThe UN <b>welcomes</b> the ceasefire.", "text"),
        (b"[Updated] Talks resume in Vienna", "text"),
        ("<rss version='2.0'><channel></channel></rss>".encode("utf-16"), "feed"),
    ],
)
def test_sniff(data: bytes, kind: str) -> None:
    assert sniff(data) == kind


@pytest.mark.parametrize(
    "data", [b'{"a": 1}', b"[1, 2, 3]", b'<svg xmlns="x"><g/></svg>', b"<?xml version='1.0'?><r/>"]
)
def test_other_json_and_markup_are_refused(data: bytes) -> None:
    with pytest.raises(MalformedInputError):
        sniff(data)


def test_content_type_breaks_ties() -> None:
    assert sniff(b"plain words", "application/rss+xml") == "feed"
    assert sniff(b"plain words", "text/html; charset=utf-8") == "html"


def test_process_refuses_script_only_page_and_chrome_only_capture() -> None:
    with pytest.raises(MalformedInputError):
        process(RawInput(data=b"<script>alert(1)</script>", name="x.html"))
    with pytest.raises(EmptyInputError):
        process(RawInput(data=b"Show news feed\nRead more:\n", name="x.txt"))


def test_size_limit_in_process() -> None:
    with pytest.raises(InputTooLargeError, match=r"input\.max_bytes"):
        process(RawInput(data=b"x" * 101, name="x.txt"), max_bytes=100)


FEED = b"""<rss version="2.0"><channel><title>W</title><link>https://w.example/</link>
<item><title>First headline only</title></item><item><title>Second headline only</title></item>
</channel></rss>"""


def test_feed_items_without_link_or_guid_get_distinct_stable_ids() -> None:
    first = process(RawInput(data=FEED, name="w.xml"))
    again = process(RawInput(data=FEED, name="w.xml"))
    assert len({a.id for a in first}) == 2
    assert [a.id for a in first] == [a.id for a in again]
    assert [a.title for a in first] == ["First headline only", "Second headline only"]


def test_bomless_utf16_feed_is_sniffed_as_a_feed() -> None:
    data = "<rss version='2.0'><channel><title>W</title></channel></rss>".encode("utf-16-le")
    assert sniff(data) == "feed"


def test_own_language_is_not_a_translation() -> None:
    page = (
        "<html><head><link rel='alternate' hreflang='en' href='https://w.example/en/1'>"
        "<link rel='alternate' hreflang='ru' href='https://w.example/ru/1'></head><body><article><p>"
        + "The ministers met in Vienna on Monday and agreed to meet again within a month. " * 4
        + "</p></article></body></html>"
    ).encode()
    (article,) = process(RawInput(data=page, name="p.html", url="https://w.example/page"))
    assert article.language == "en"
    assert [t.language for t in article.translations] == ["ru"]
