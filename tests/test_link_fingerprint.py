"""Fingerprints: normalised shingles and their MinHash, band keys, and the evidence that crosses languages."""

from __future__ import annotations

import json

import pytest

from newswatch.link.evidence import dates_in, name_keys, numbers_in, url_keys
from newswatch.link.fingerprint import (
    NUM_PERM,
    Fingerprint,
    band_keys,
    evidence_keys,
    fingerprint,
    normalize_words,
)
from newswatch.model import Actor, Article, Event, Mention, Quote

TEXT = "The border commissions met on Friday and agreed on a work plan."


def _article(text: str = TEXT, **fields: object) -> Article:
    return Article(**{"id": "a1", "text": text, "language": "en", **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("language", "forms"),
    [
        ("en", ["talks", "talked", "talking"]),
        ("ru", ["переговоры", "переговорах", "переговоров"]),
        ("ru", ["Григорян", "Григоряном", "Григоряна"]),
        ("hy", ["հանձնաժողովները", "հանձնաժողովների", "հանձնաժողով"]),
        ("hy", ["Գրիգորյան", "Գրիգորյանի", "Գրիգորյանը"]),
    ],
)
def test_inflected_forms_meet(language: str, forms: list[str]) -> None:
    stems = {normalize_words(form, language)[0] for form in forms}
    assert len(stems) == 1


def test_stopwords_and_punctuation_are_left_out() -> None:
    assert normalize_words("The talks, of course, were long!", "en") == ["talk", "course", "long"]
    assert normalize_words("и в Вене", "ru") == ["вен"]


def test_numbers_are_written_one_way() -> None:
    assert numbers_in("1,200 people, 1 200 more and 1200 again") == {"1200"}
    assert numbers_in("3,5 km or 3.5 km") == {"3.5"}
    assert numbers_in("2020–2022, 45 and 7 days") == {
        "2020",
        "2022",
        "45",
    }  # below ten: spelled out elsewhere
    assert numbers_in("in 2026 and 2020", ignore=frozenset({"2026"})) == {"2020"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "They met on Friday and will meet again on 14 April; the 9 November 2020 statement stands."),
        ("en", "They met on Friday and will meet again on April 14; the November 9, 2020 statement stands."),
        ("ru", "Они встретились в пятницу и встретятся 14 апреля; заявление от 9 ноября 2020 года в силе."),
        (
            "hy",
            "Նրանք հանդիպել են ուրբաթ օրը, կհանդիպեն ապրիլի 14-ին․ 2020 թվականի նոյեմբերի 9-ի հայտարարությունը",
        ),
    ],
)
def test_dates_in_text_meet_across_languages(language: str, text: str) -> None:
    days, spans = dates_in(text, language, "2026-03-07")  # a Saturday: "Friday" is 6 March
    assert days == {"03-06", "04-14", "11-09"}
    # The year is left to the numbers, whichever side of the day it is written on.
    assert "2020" in numbers_in(text, spans)


def test_weekdays_need_a_publication_day() -> None:
    assert dates_in("They met on Friday.", "en", None)[0] == frozenset()
    assert dates_in("Встреча прошла среди дня.", "ru", "2026-03-07")[0] == frozenset()  # "среди" is no day
    assert dates_in("Встреча прошла вчера, в среду.", "ru", "2026-03-05")[0] == {"03-04"}


def test_name_keys_meet_across_scripts() -> None:
    en = name_keys("The deputy prime minister met Grigoryan in Ijevan.")
    ru = name_keys("Вице-премьер встретился с Григоряном в Иджеване.")
    hy = name_keys("Փոխվարչապետը հանդիպել է Գրիգորյանի հետ Իջևանում։")
    assert "grgr" in en & ru & hy


def test_url_keys_drop_language_segments() -> None:
    en = url_keys("https://www.example.com/en/news/2026/03/04/talks?lang=en&id=7")
    ru = url_keys("https://ru.example.com/news/2026/03/04/talks?id=7")
    assert en == ru == ("example.com", "/news/2026/03/04/talks?id=7", frozenset({"20260304"}))
    assert url_keys(None) == (None, None, frozenset())


def test_minhash_is_reproducible_and_pinned() -> None:
    # Stored sketches must not change between runs, machines or datasketch upgrades (seed and scheme pinned).
    fp = fingerprint(_article())
    assert len(fp.minhash) == NUM_PERM
    assert fp.minhash[:4] == (340405986, 19680042, 331024843, 513185874)
    assert fingerprint(_article(id="other")).minhash == fp.minhash


def test_band_keys_find_copies_not_strangers() -> None:
    a = fingerprint(_article())
    copy = fingerprint(_article(id="a2", title="Copy"))
    other = fingerprint(_article("Snow closed the mountain pass to trucks for a third day running.", id="a3"))
    assert band_keys(a) == band_keys(copy)
    assert len(band_keys(a)) == 42
    assert not set(band_keys(a)) & set(band_keys(other))
    assert len(band_keys(a, bands=16, rows=8)) == 16
    with pytest.raises(ValueError, match="MinHash values"):
        band_keys(a, bands=64, rows=4)


def test_empty_text_has_no_sketch_and_no_keys() -> None:
    fp = fingerprint(_article("the and of", id="e"))
    assert fp.minhash == () and fp.shingles == 0
    assert band_keys(fp) == []


def test_cross_language_evidence() -> None:
    text = (
        "Mirzoyan met Bayramov in Vienna on Tuesday.\n\n"
        "They agreed to exchange lists of 32 missing persons, the ministry said."
    )
    article = _article(
        text,
        url="https://example.com/en/politics/2026/03/10/vienna-talks",
        published="2026-03-10T14:00:00+00:00",
        actors=(
            Actor(
                "ararat-mirzoyan", "Ararat Mirzoyan", "person", "ARM", mentions=(Mention(0, 8, "Mirzoyan"),)
            ),
            Actor(
                "jeyhun-bayramov", "Jeyhun Bayramov", "person", "AZE", mentions=(Mention(13, 21, "Bayramov"),)
            ),
            Actor("vienna", "Vienna", "place", "AUT", mentions=(Mention(25, 31, "Vienna"),)),
            Actor(
                "ARM",
                "Armenia",
                "country",
                "ARM",
                role="foreign ministry",
                mentions=(Mention(103, 111, "ministry"),),
            ),
        ),
        quotes=(Quote("ararat-mirzoyan", "x", 0, 1, direct=False),),
        events=(
            Event("CONSULT", "040", "ararat-mirzoyan", "jeyhun-bayramov", "2026-03-10", None, "", 0, 1, 0.9),
        ),
    )
    fp = fingerprint(article)
    assert fp.actors == {"ararat-mirzoyan", "jeyhun-bayramov", "vienna", "ARM"}
    assert fp.places == {"vienna"} and fp.countries == {"ARM"}
    assert fp.speakers == {"ararat-mirzoyan"}
    assert fp.events == {"CONSULT|ararat-mirzoyan|jeyhun-bayramov|2026-03-10"}
    assert fp.numbers == {"32"}
    assert fp.dates == {"03-10"}
    assert fp.anchors == ("ararat-mirzoyan", "jeyhun-bayramov", "vienna", "ARM")
    assert fp.paragraphs == (
        frozenset({"ararat-mirzoyan", "jeyhun-bayramov", "vienna"}),
        frozenset({"32", "ARM"}),
    )
    assert len(fp.shape) == 2 and abs(sum(fp.shape) - 1) < 0.01
    assert (fp.site, fp.path) == ("example.com", "/politics/2026/03/10/vienna-talks")
    assert fp.published == 1773151200.0


def test_evidence_keys_cover_the_window() -> None:
    fp = fingerprint(
        _article(published="2026-03-10", actors=(Actor("un", "United Nations", "organization"),))
    )
    assert evidence_keys(fp) == ["2026-03-10|un"]
    assert evidence_keys(fp, window_days=1) == ["2026-03-09|un", "2026-03-10|un", "2026-03-11|un"]
    assert evidence_keys(fingerprint(_article())) == []


def test_fingerprint_round_trips_through_json() -> None:
    fp = fingerprint(_article(url="https://example.com/en/a", published="2026-03-06"))
    again = Fingerprint.from_dict(json.loads(json.dumps(fp.to_dict())))
    assert again == fp
