import json

import pytest

from newswatch.errors import HostileInputError, MalformedInputError
from newswatch.ingest.feeds import guard_xml, parse_feed

RSS2 = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Caucasus Wire</title><link>https://caucasus-wire.example/</link><language>en</language>
<item><title>Border commissions meet in Gabala</title><link>https://caucasus-wire.example/a1</link>
<guid>cw-1</guid><pubDate>Wed, 04 Mar 2026 10:00:00 +0400</pubDate>
<description>Short summary.</description>
<content:encoded><![CDATA[<p>The border commissions met on Wednesday.</p><p>They agreed on a schedule.</p>]]></content:encoded>
</item>
<item><title>Border commissions meet in Gabala</title><link>https://caucasus-wire.example/a1</link>
<guid>cw-1</guid><description>Short summary.</description></item>
<item><title>Mirzoyan and Bayramov to talk in Berlin</title>
<link>https://caucasus-wire.example/a2?utm_source=rss&amp;utm_medium=feed</link>
<description>The ministers will talk in Berlin.</description></item>
<item><title>Mirzoyan and Bayramov to talk in Berlin</title><link>https://caucasus-wire.example/a2</link>
<description>The ministers will talk in Berlin next week, both ministries said.</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ru">
<title>Регион-Новости</title><id>urn:example:feed</id><updated>2026-03-05T09:00:00Z</updated>
<link href="https://ria-region.example/"/>
<entry><title>МИД Армении ответил Баку</title><id>urn:example:1</id>
<link href="https://ria-region.example/news/1"/><published>2026-03-05T08:30:00+03:00</published>
<updated>2026-03-05T09:00:00Z</updated><author><name>Анна Петрова</name></author>
<content type="html">&lt;p&gt;МИД Армении ответил на заявление Баку.&lt;/p&gt;</content></entry>
</feed>"""

RSS1 = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://yerevan-daily.example/"><title>Yerevan Daily</title>
<link>https://yerevan-daily.example/</link><description>news</description></channel>
<item rdf:about="https://yerevan-daily.example/1"><title>Yerevan hosts OSCE envoy</title>
<link>https://yerevan-daily.example/1</link><description>The OSCE envoy arrived.</description>
<dc:date>2026-02-12T11:00:00+04:00</dc:date></item>
</rdf:RDF>"""

RSS091 = """<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
 "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old Wire</title><link>https://old.example/</link>
<description>d</description><language>en-us</language>
<item><title>Talks resume</title><link>https://old.example/1</link><description>Talks resumed.</description></item>
</channel></rss>"""


def test_rss2_full_content_and_duplicates_collapsed() -> None:
    feed = parse_feed(RSS2.encode())
    assert feed.title == "Caucasus Wire"
    assert [i.url for i in feed.items] == [
        "https://caucasus-wire.example/a1",
        "https://caucasus-wire.example/a2",
    ]
    first, second = feed.items
    assert "They agreed on a schedule." in first.content
    assert first.published == "Wed, 04 Mar 2026 10:00:00 +0400"
    # The fuller of the two utm/plain duplicates wins.
    assert "both ministries said" in second.content


def test_atom() -> None:
    feed = parse_feed(ATOM.encode())
    (item,) = feed.items
    assert item.title == "МИД Армении ответил Баку"
    assert item.author == "Анна Петрова"
    assert item.published == "2026-03-05T08:30:00+03:00"
    assert item.language == "ru"
    assert "ответил на заявление" in item.content


def test_rss1_and_rss091() -> None:
    (item,) = parse_feed(RSS1.encode()).items
    assert item.url == "https://yerevan-daily.example/1"
    assert item.published == "2026-02-12T11:00:00+04:00"
    (old,) = parse_feed(RSS091.encode()).items
    assert old.title == "Talks resume"


def test_windows_1251_feed() -> None:
    data = ATOM.replace('encoding="utf-8"', 'encoding="windows-1251"').encode("cp1251")
    (item,) = parse_feed(data).items
    assert item.title == "МИД Армении ответил Баку"


def test_json_feed() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Baku Observer",
        "home_page_url": "https://baku-observer.example/",
        "language": "en",
        "items": [
            {"id": "1", "url": "https://baku-observer.example/1", "title": "Baku answers",
             "content_html": "<p>Baku answered.</p>", "date_published": "2026-03-02T10:00:00+04:00",
             "authors": [{"name": "R. Aliyeva"}]},
            {"id": "1", "url": "https://baku-observer.example/1", "title": "Baku answers",
             "content_text": "Baku answered."},
            {"id": "2", "content_text": "Second item."},
        ],
    }  # fmt: skip
    feed = parse_feed(json.dumps(doc).encode())
    assert [i.guid for i in feed.items] == ["1", "2"]
    assert feed.items[0].author == "R. Aliyeva"
    assert feed.items[0].content == "<p>Baku answered.</p>"


XXE = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>x</title><item><title>&xxe;</title></item></channel></rss>"""

BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    + ']><rss version="2.0"><channel><title>&lol9;</title></channel></rss>'
)


def test_external_entity_refused_never_resolved() -> None:
    with pytest.raises(HostileInputError, match="external"):
        parse_feed(XXE.encode())


def test_entity_bomb_refused() -> None:
    with pytest.raises(HostileInputError, match="expansion"):
        guard_xml(BOMB.encode())


def test_entity_hidden_after_padding_is_found() -> None:
    padded = "<?xml version='1.0'?>" + "<!--" + "x" * 200_000 + "-->" + XXE.split("?>", 1)[1]
    with pytest.raises(HostileInputError):
        guard_xml(padded.encode())


def test_utf16_entity_is_found() -> None:
    with pytest.raises(HostileInputError):
        guard_xml(XXE.encode("utf-16"))


def test_not_a_feed() -> None:
    with pytest.raises(MalformedInputError):
        parse_feed(b"<rss><channel><title>broken")
    with pytest.raises(MalformedInputError):
        parse_feed(b'{"version": "https://jsonfeed.org/version/1.1", "items": 3}')


def test_deeply_nested_json_feed_is_malformed_not_a_crash() -> None:
    deep = "[" * 50_000 + "]" * 50_000
    data = f'{{"version": "https://jsonfeed.org/version/1.1", "items": [{{"id": "1", "tags": {deep}}}]}}'
    with pytest.raises(MalformedInputError, match="nested too deeply"):
        parse_feed(data.encode())


LINKS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
<link>https://wire.example/en/</link>
<item><title>Script link</title><link>javascript:alert(1)</link><description>One.</description></item>
<item><title>Relative link</title><link>/news/2</link><description>Two.</description></item>
<item><title>Page-relative link</title><link>news/3</link><description>Three.</description></item>
<item><title>Broken link</title><link>http://[::1/x</link><description>Four.</description></item>
<item><title>Data link</title><link>data:text/html,hello</link><description>Five.</description></item>
</channel></rss>"""


def test_item_links_are_absolute_web_addresses_or_nothing() -> None:
    feed = parse_feed(LINKS.encode())
    assert [i.url for i in feed.items] == [
        None,
        "https://wire.example/news/2",
        "https://wire.example/en/news/3",
        None,
        None,
    ]
    # Read from an address, the feed's own address is the base.
    feed = parse_feed(LINKS.encode(), base_url="https://mirror.example/feeds/wire.xml")
    assert feed.items[1].url == "https://mirror.example/news/2"
    assert feed.items[2].url == "https://mirror.example/feeds/news/3"


def test_feed_link_that_is_no_web_address_is_dropped() -> None:
    data = LINKS.replace("https://wire.example/en/", "javascript:void(0)").encode()
    feed = parse_feed(data)
    assert feed.url is None
    assert [i.url for i in feed.items] == [None] * 5  # nothing to resolve relative links against


def test_json_feed_fields_of_the_wrong_type_are_ignored() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": 5,
        "home_page_url": "https://observer.example/",
        "language": ["en"],
        "items": [
            {"id": 7, "url": ["https://evil.example/"], "external_url": "/world/7", "title": {"t": 1},
             "content_html": 5, "content_text": "Talks resumed.", "date_published": 12345,
             "authors": "bob", "author": {"name": "R. Aliyeva"}, "language": 3},
            {"id": True, "url": "javascript:alert(1)", "content_html": ["<p>x</p>"], "summary": "Short.",
             "authors": [{"name": ["x"]}, {"name": "A. Petrova"}]},
        ],
    }  # fmt: skip
    feed = parse_feed(json.dumps(doc).encode())
    assert (feed.title, feed.url, feed.language) == (None, "https://observer.example/", None)
    first, second = feed.items
    assert first.guid == "7"
    assert first.url == "https://observer.example/world/7"
    assert (first.title, first.published, first.language) == (None, None, None)
    assert first.content == "Talks resumed."
    assert first.author == "R. Aliyeva"
    assert (second.guid, second.url, second.content, second.author) == (None, None, "Short.", "A. Petrova")


def test_control_characters_never_reach_items() -> None:
    # feedparser reads the bytes itself (not through decode), and JSON escapes such as \u001b survive parsing.
    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire\x07</title><item>'
        b"<title>Talks\x1b resume\x7f</title><link>https://w.example/1</link>"
        b"<description>The talks\x01 resumed today.\x0cThey will go on.</description></item></channel></rss>"
    )
    feed = parse_feed(rss)
    (item,) = feed.items
    assert (feed.title, item.title) == ("Wire", "Talks resume")
    assert item.content == "The talks resumed today.\nThey will go on."
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [{"id": "1\u0000", "title": "Talks\u001b resume", "content_text": "Resumed\u0008 today."}],
    }
    (item,) = parse_feed(json.dumps(doc).encode()).items
    assert (item.guid, item.title, item.content) == ("1", "Talks resume", "Resumed today.")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_entity_without_bom_is_found(codec: str) -> None:
    with pytest.raises(HostileInputError, match="external"):
        guard_xml(XXE.encode(codec))


def test_an_empty_feed_fetched_from_the_web_is_empty_not_broken() -> None:
    """A channel with no items yet (a poller meets one often) reads as an empty feed, with or without an
    address; broken XML with no items is still an error."""
    empty = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Empty</title>'
        b"<link>https://news.example/</link></channel></rss>"
    )
    for base in (None, "https://news.example/feed.xml"):
        assert parse_feed(empty, base_url=base).items == ()
    with pytest.raises(MalformedInputError):
        parse_feed(b'<rss version="2.0"><channel><title>x</title', base_url="https://news.example/feed.xml")
