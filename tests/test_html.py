from datetime import UTC, datetime

from newswatch.extract.html import extract_html, html_fragment_text

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Foreign ministers agree on border talks schedule | Caucasus Wire</title>
<link rel="canonical" href="https://caucasus-wire.example/en/2026/03/ministers-agree?utm_source=x">
<link rel="alternate" hreflang="hy" href="/hy/2026/03/ministers-agree">
<link rel="alternate" hreflang="ru" href="https://caucasus-wire.example/ru/2026/03/ministers-agree">
<link rel="alternate" hreflang="en" href="https://caucasus-wire.example/en/2026/03/ministers-agree">
<link rel="alternate" hreflang="x-default" href="https://caucasus-wire.example/">
<meta property="og:site_name" content="Caucasus Wire">
<meta property="article:published_time" content="2026-03-03T14:05:00+04:00">
<meta name="author" content="Lena Harutyunyan">
<style>.share { color: red }</style>
<script>window.tracker = "SCRIPT-SHOULD-NOT-APPEAR";</script>
</head>
<body>
<header><nav><a href="/">Home</a> <a href="/politics">Politics</a> <a href="/world">World</a>
<a href="/feed">Show news feed</a></nav></header>
<div class="cookie">We use cookies to improve your experience. Accept all cookies</div>
<main><article>
<h1>Foreign ministers agree on border talks schedule</h1>
<div class="share"><a href="#">Share</a> <a href="#">Tweet</a> <a href="#">Print</a></div>
<p>The foreign ministers of Armenia and Azerbaijan agreed on Tuesday to hold three more rounds of talks on
border delimitation before the summer, both ministries said in near-identical statements.</p>
<p>The schedule was settled at a meeting in Berlin hosted by the German foreign minister, who called the
agreement a practical step that both sides could build on in the coming months.</p>
<p>"We have a calendar now, and a calendar is a commitment," one of the ministers told reporters after the
meeting, adding that the commissions would exchange maps ahead of the first round.</p>
<p>Observers in Yerevan and Baku said the next test would be whether the commissions agree on the section of
the border near the villages that saw shooting incidents earlier this year.</p>
<div class="available">This article is also available in <a href="/hy/2026/03/ministers-agree">Հայերեն</a>
and <a href="/ru/2026/03/ministers-agree">Русский</a></div>
<section class="related"><h3>Read more</h3><ul>
<li><a href="/en/2026/02/commissions-meet">Border commissions meet for the first time this year</a></li>
<li><a href="https://caucasus-wire.example/en/2026/02/un-envoy">UN envoy urges restraint on the border</a></li>
</ul></section>
</article></main>
<aside><h3>Most read</h3><ul><li><a href="/x">Football: Armenia beat Latvia 2-1</a></li></ul></aside>
<footer><p>© 2026 Caucasus Wire. All rights reserved.</p><a href="/subscribe">Subscribe to our newsletter</a></footer>
</body></html>"""


def test_page_metadata_and_links() -> None:
    doc = extract_html(PAGE, url="https://caucasus-wire.example/en/2026/03/ministers-agree")
    assert doc.title == "Foreign ministers agree on border talks schedule"
    assert doc.author == "Lena Harutyunyan"
    assert doc.published == "2026-03-03T14:05:00+04:00"
    assert doc.published_precision == "datetime"
    assert doc.language_hint == "en"
    assert doc.site_name == "Caucasus Wire"
    assert doc.canonical_url == "https://caucasus-wire.example/en/2026/03/ministers-agree?utm_source=x"
    assert {(t.language, t.url) for t in doc.translations} == {
        ("hy", "https://caucasus-wire.example/hy/2026/03/ministers-agree"),
        ("ru", "https://caucasus-wire.example/ru/2026/03/ministers-agree"),
    }
    assert [(r.title, r.url) for r in doc.related] == [
        (
            "Border commissions meet for the first time this year",
            "https://caucasus-wire.example/en/2026/02/commissions-meet",
        ),
        ("UN envoy urges restraint on the border", "https://caucasus-wire.example/en/2026/02/un-envoy"),
    ]


def test_page_text_is_clean() -> None:
    text = extract_html(PAGE).text
    assert text.startswith("The foreign ministers of Armenia and Azerbaijan agreed on Tuesday")
    assert "a calendar is a commitment" in text
    assert "shooting incidents earlier this year." in text
    assert "\n\n" in text
    for chrome in (
        "SCRIPT-SHOULD-NOT-APPEAR", "color: red", "Show news feed", "cookies", "Tweet", "Most read",
        "Latvia", "All rights reserved", "Subscribe", "available in", "Read more", "Border commissions meet",
    ):  # fmt: skip
        assert chrome not in text, chrome


def test_available_in_links_when_no_hreflang() -> None:
    page = PAGE.replace('hreflang="hy"', 'data-x="1"').replace('hreflang="ru"', 'data-y="1"')
    doc = extract_html(page, url="https://caucasus-wire.example/en/2026/03/ministers-agree")
    assert sorted(t.language for t in doc.translations) == ["hy", "ru"]
    assert all(t.url and t.url.startswith("https://caucasus-wire.example/") for t in doc.translations)


JSON_LD = """<html lang="ru"><head><title>МИД: переговоры продолжатся</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
{"@type": "WebSite", "name": "Регион"},
{"@type": "NewsArticle", "headline": "МИД Армении: переговоры продолжатся в апреле",
 "datePublished": "2026-03-10T09:15:00+03:00", "author": [{"@type": "Person", "name": "Ирина Смирнова"}]}]}
</script></head><body><article>
<p>Министерство иностранных дел Армении сообщило, что следующий раунд переговоров с Азербайджаном пройдёт в
апреле. По словам представителя ведомства, стороны уже обменялись проектами документов.</p>
<p>В Баку это сообщение пока не прокомментировали. Ранее азербайджанская сторона заявляла, что готова к встрече
на уровне министров в любое удобное время.</p>
<p>Фото: пресс-служба МИД</p>
</article></body></html>"""


def test_json_ld_metadata() -> None:
    doc = extract_html(JSON_LD)
    assert doc.title == "МИД Армении: переговоры продолжатся в апреле"
    assert doc.author == "Ирина Смирнова"
    assert doc.published == "2026-03-10T09:15:00+03:00"
    assert "следующий раунд переговоров" in doc.text
    assert "Фото:" not in doc.text


VISIBLE_DATE = """<html lang="hy"><head><title>Հանձնաժողովները հանդիպեցին</title></head><body><article>
<h1>Սահմանազատման հանձնաժողովները հանդիպեցին</h1>
<p>Երևան, 2026 թ. մարտի 4</p>
<p>Հայաստանի և Ադրբեջանի սահմանազատման հանձնաժողովները այսօր հերթական հանդիպումն են անցկացրել։ Կողմերը
քննարկել են աշխատանքային ժամանակացույցը և պայմանավորվել շարունակել շփումները։</p>
<p>Հանդիպումից հետո փոխվարչապետը նշել է, որ աշխատանքները կառուցողական մթնոլորտում են ընթանում։</p>
</article></body></html>"""


def test_visible_armenian_dateline() -> None:
    doc = extract_html(VISIBLE_DATE, reference=datetime(2026, 3, 5, tzinfo=UTC))
    assert doc.published == "2026-03-04"
    assert doc.published_precision == "date"
    assert "հանձնաժողովները այսօր" in doc.text


def test_no_date_anywhere_is_null() -> None:
    page = (
        "<html><body><article><p>"
        + "Talks went on for hours without a result. " * 8
        + "</p></article></body></html>"
    )
    doc = extract_html(page)
    assert doc.published is None and doc.published_precision is None


def test_broken_html_is_still_extracted() -> None:
    page = (
        "<html><body><div><p>The envoy arrived in Yerevan on Monday <b>and met the minister<p>Talks continue"
    )
    doc = extract_html(page)
    assert "The envoy arrived in Yerevan on Monday" in doc.text
    assert "Talks continue" in doc.text


def test_hostile_page_keeps_no_script() -> None:
    page = """<html><body><article><p>The ministers met in Geneva. <img src=x onerror="alert('XSS-1')">
    <a href="javascript:alert('XSS-2')">details</a></p><script>alert('XSS-3')</script>
    <p>They agreed to meet again next month and to exchange lists of detainees before then.</p>
    <svg><script>alert('XSS-4')</script></svg></article></body></html>"""
    text = extract_html(page).text
    assert "The ministers met in Geneva." in text
    assert "XSS" not in text and "alert(" not in text


def test_fragment_text_paragraphs() -> None:
    text = html_fragment_text(
        "<p>One.</p><p>Two <b>bold</b>.</p><script>bad()</script><ul><li>Three</li></ul>"
    )
    assert text == "One.\n\nTwo bold.\n\nThree"
    assert html_fragment_text("Plain text\n\nsecond") == "Plain text\n\nsecond"


DATE_IN_PAGE = """<html lang="ru"><body>
<aside><ul><li><span class="date">01.01.2026 09:00</span> <a href="/old">Старая новость о другом</a></li></ul></aside>
<article><h1>Стороны обменялись картами</h1>
<div class="article__meta"><span class="news-date">26.02.2026, 17:30</span>
<span class="news-author">Автор: Анна Соколова</span></div>
<p>Комиссии по делимитации границы обменялись картами участков, о которых шла речь на прошлой встрече. Об этом
сообщили в правительствах обеих стран после завершения заседания.</p>
<p><strong>Читайте также:</strong> <a href="/a">Комиссии встретятся в марте</a></p>
<p>Следующее заседание назначено на март, уточнили в ведомстве и добавили, что эксперты продолжат работу.</p>
<div class="read-more"><b>Смотрите также</b><ul><li><a href="/b">Эксперты продолжат работу над картами</a></li>
<li><a href="/a">Комиссии встретятся в марте</a></li></ul></div>
<table><tr><td>Самое читаемое</td><td><a href="/x">Футбол: Армения обыграла Латвию</a></td></tr></table>
</article></body></html>"""


def test_visible_date_element_in_the_article_wins_over_side_lists() -> None:
    doc = extract_html(DATE_IN_PAGE, url="https://ria-region.example/n/1")
    assert doc.published == "2026-02-26T17:30:00"
    assert doc.published_precision == "datetime"


def test_every_read_more_block_is_collected_once() -> None:
    doc = extract_html(DATE_IN_PAGE, url="https://ria-region.example/n/1")
    assert [link.url for link in doc.related] == [
        "https://ria-region.example/a",
        "https://ria-region.example/b",
    ]
    assert "Читайте также" not in doc.text and "Эксперты продолжат работу над картами" not in doc.text
    assert "Латвию" not in doc.text  # a "most read" table row


def test_byline_label_is_not_part_of_the_author() -> None:
    page = DATE_IN_PAGE.replace(
        '<html lang="ru">',
        "<html lang=\"ru\"><head><meta name='author' content='Автор: Анна Соколова'></head>",
    )
    assert extract_html(page).author == "Анна Соколова"


def test_date_in_the_address_wins_over_a_different_stated_day() -> None:
    page = (
        "<html><head><meta property='article:published_time' content='2026-03-05T01:30:00Z'></head><body>"
        "<article><p>"
        + "The talks ended late on Wednesday without a joint statement. " * 6
        + "</p></article></body></html>"
    )
    assert extract_html(page, url="https://x.example/2026/03/04/talks").published == "2026-03-04"
    agreeing = extract_html(page, url="https://x.example/2026/03/05/talks")
    assert agreeing.published == "2026-03-05T01:30:00+00:00" and agreeing.published_precision == "datetime"
    assert (
        extract_html(page, url="https://x.example/2026/02/30/talks").published == "2026-03-05T01:30:00+00:00"
    )


def test_a_bare_year_never_becomes_the_first_of_january() -> None:
    page = (
        "<html lang='hy'><body><article><p>"
        + "Կողմերը համաձայնել են շարունակել բանակցությունները 2026 թվականին։ " * 6
        + "</p></article><footer>© 2026</footer></body></html>"
    )
    assert extract_html(page).published is None


BODY = (
    "<p>"
    + "Negotiators from Yerevan and Baku met in Vienna on Tuesday for another round of talks. " * 4
    + "</p>"
)


def test_malformed_addresses_are_dropped_not_fatal() -> None:
    page = f"""<html><head><title>Talks in Vienna</title>
<link rel="canonical" href="http://[::1/x">
<link rel="alternate" hreflang="ru" href="http://[bad/ru/1">
<link rel="alternate" hreflang="hy" href="https://n.example/hy/1">
<base href="http://[::1/base/">
</head><body><article><h1>Talks in Vienna</h1>{BODY}{BODY}
<div class="available">Also available in <a href="http://[x/ru">Русский</a></div>
<section class="related"><h3>Read more</h3><ul>
<li><a href="http://[::1/y">Border commissions meet again</a></li>
<li><a href="https://n.example/en/2">Envoy urges restraint on the border</a></li></ul></section>
</article></body></html>"""
    doc = extract_html(page, url="https://n.example/en/1")
    assert doc.canonical_url is None
    assert [(t.language, t.url) for t in doc.translations] == [("hy", "https://n.example/hy/1")]
    assert [(r.title, r.url) for r in doc.related] == [
        ("Envoy urges restraint on the border", "https://n.example/en/2")
    ]
    assert "another round of talks" in doc.text
    # A malformed address of the page itself resolves nothing, and breaks nothing.
    assert extract_html(page, url="http://[::1/page").canonical_url is None


def test_deeply_nested_json_ld_is_skipped() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    shallow = "[" * 900 + '"Hidden Name"' + "]" * 900  # parses, but nests deeper than any real JSON-LD
    page = f"""<html><head><title>Talks in Vienna</title><meta name="author" content="Lena Harutyunyan">
<script type="application/ld+json">{deep}</script>
<script type="application/ld+json">{{"@type": "NewsArticle", "author": {shallow}, "headline": {shallow},
 "datePublished": {shallow}}}</script>
</head><body><article><h1>Talks in Vienna</h1>{BODY}{BODY}</article></body></html>"""
    doc = extract_html(page)
    assert doc.author == "Lena Harutyunyan"
    assert doc.title == "Talks in Vienna"
    assert doc.published is None
    assert "another round of talks" in doc.text


def test_a_page_is_not_its_own_translation() -> None:
    page = f"""<html><head><title>Talks in Vienna</title>
<link rel="canonical" href="https://n.example/en/a?utm_source=feed">
<link rel="alternate" hreflang="en" href="https://n.example/en/a">
<link rel="alternate" hreflang="ru" href="https://n.example/ru/a">
</head><body><article><h1>Talks in Vienna</h1>{BODY}{BODY}</article></body></html>"""
    doc = extract_html(page)  # no <html lang>: only the address tells that the "en" version is this page
    assert [(t.language, t.url) for t in doc.translations] == [("ru", "https://n.example/ru/a")]
    without_canonical = page.replace("canonical", "shortlink")
    doc = extract_html(without_canonical, url="https://n.example/en/a")
    assert [t.language for t in doc.translations] == ["ru"]
    # The same for an "available in" block that links back to the page.
    available = f"""<html><head><title>Talks</title></head><body><article><h1>Talks</h1>{BODY}{BODY}
<p>Available in <a href="/en/a">English</a> and <a href="/ru/a">Русский</a></p></article></body></html>"""
    doc = extract_html(available, url="https://n.example/en/a")
    assert [(t.language, t.url) for t in doc.translations] == [("ru", "https://n.example/ru/a")]


def test_data_tables_are_content() -> None:
    rows = "".join(f"<tr><td>{n}</td><td>Driver {n}</td><td>{5000 - n}</td></tr>" for n in range(1, 6))
    page = (
        "<html><body><article><p>"
        + "The standings after the race were announced on Sunday evening. " * 4
        + "</p>"
        f"<table>{rows}</table><table><tr><td>Most read</td><td><a href='/x'>Another story</a></td></tr></table>"
        "</article></body></html>"
    )
    text = extract_html(page).text
    assert "Driver 3" in text and "4997" in text
    assert "Another story" not in text
