"""The gazetteer: its data files hold together, names inflect, the matcher respects case, slugs are Latin."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from newswatch.understand.gazetteer import (
    actor_gender,
    actor_info,
    find_names,
    gazetteer,
    inflect,
    known_actors,
    normalize,
    slug,
    words_of,
)

LANGUAGES = ("en", "ru", "hy")


def _matches(text: str, language: str) -> list[tuple[str, list[tuple[str, str]]]]:
    gaz = gazetteer(language)
    return [
        (text[m.start : m.end], [(leaf.kind, leaf.target) for leaf in m.leaves])
        for m in find_names(text, gaz, words_of(text))
    ]


def test_registry_ids_are_unique_kinds_and_point_to_known_actors() -> None:
    registry = known_actors()
    assert len([k for k in registry.values() if k.info.type == "country"]) >= 249
    for actor_id, known in registry.items():
        if known.info.type == "country":
            assert re.fullmatch(r"[A-Z]{3}", actor_id) and known.info.country == actor_id
        else:
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", actor_id), actor_id
        if known.info.country is not None:
            assert known.info.country in registry, (actor_id, known.info.country)
        if known.metonym is not None:
            assert known.info.type == "place" and known.metonym in registry


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_named_id_is_in_the_registry(language: str) -> None:
    registry = known_actors()
    gaz = gazetteer(language)
    targets: set[str] = set()
    stack = [gaz.root]
    while stack:
        node = stack.pop()
        stack.extend(node.children.values())
        for leaf in node.leaves:
            if leaf.kind in ("name", "adj", "surname"):
                targets.add(leaf.target)
            if leaf.kind == "body" and leaf.country:
                targets.add(leaf.country)
    unknown = sorted(t for t in targets if t not in registry)
    assert unknown == []
    assert set(gaz.display) <= set(registry)
    # every curated person has a full name and a surname in each language
    people = {i for i, k in registry.items() if k.info.type == "person"}
    assert people <= targets


@pytest.mark.parametrize(
    ("actor_id", "name", "kind", "country"),
    [
        ("ARM", "Armenia", "country", "ARM"),
        ("miroslav-jenca", "Miroslav Jenča", "person", "un"),
        ("yerevan", "Yerevan", "place", "ARM"),
        ("un-security-council", "UN Security Council", "organization", "un"),
        ("stepanakert", "Stepanakert (Khankendi)", "place", "AZE"),
    ],
)
def test_actor_info(actor_id: str, name: str, kind: str, country: str) -> None:
    info = actor_info(actor_id)
    assert info is not None
    assert (info.id, info.name, info.type, info.country) == (actor_id, name, kind, country)


def test_actor_info_of_an_unknown_id() -> None:
    assert actor_info("no-such-actor") is None


@pytest.mark.parametrize(
    ("language", "word", "forms"),
    [
        ("ru", "Армения", {"Армении", "Армению", "Арменией"}),
        ("ru", "Азербайджан", {"Азербайджана", "Азербайджану", "Азербайджаном", "Азербайджане"}),
        ("ru", "Москва", {"Москвы", "Москве", "Москву", "Москвой"}),
        ("ru", "армянский", {"армянского", "армянская", "армянской", "армянские"}),
        ("ru", "Кремль", {"Кремля", "Кремле"}),
        ("ru", "Кая", {"Каей", "Каи"}),
        ("hy", "Հայաստան", {"Հայաստանի", "Հայաստանին", "Հայաստանը", "Հայաստանում", "Հայաստանից"}),
        ("hy", "Բաքու", {"Բաքվի", "Բաքվում", "Բաքուն"}),
        ("hy", "Մոսկվա", {"Մոսկվայի", "Մոսկվան", "Մոսկվայում"}),
        ("hy", "միություն", {"միության", "միությունը", "միությանը"}),
        ("en", "Armenian", {"Armenians"}),
    ],
)
def test_inflection_rules(language: str, word: str, forms: set[str]) -> None:
    assert forms <= set(inflect(word, gazetteer(language).rules))


def test_indeclinable_russian_names_stay_as_they_are() -> None:
    assert inflect("Баку", gazetteer("ru").rules) == ["Баку", "Баку"]
    assert "Армен" not in inflect("Армения", gazetteer("ru").rules)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("ՄԱԿ-ի և ԵՄ-ն", "hy", [("ՄԱԿ-ի", "un"), ("ԵՄ-ն", "eu")]),
        ("ՄԱԿ-ի Անվտանգության խորհրդի նիստը", "hy", [("ՄԱԿ-ի Անվտանգության խորհրդի", "un-security-council")]),
        ("Yerevan's view", "en", [("Yerevan's", "yerevan")]),
        ("Армении и ООН", "ru", [("Армении", "ARM"), ("ООН", "un")]),
        (
            "Miroslav Jenča and Miroslav Jenca",
            "en",
            [("Miroslav Jenča", "miroslav-jenca"), ("Miroslav Jenca", "miroslav-jenca")],
        ),
        ("Nagorno-Karabakh", "en", [("Nagorno-Karabakh", "karabakh")]),
    ],
)
def test_find_names_spans_cover_the_word_as_written(
    text: str, language: str, expected: list[tuple[str, str]]
) -> None:
    found = [(span, leaves[0][1]) for span, leaves in _matches(text, language)]
    assert found == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("un jour, the unit and UNDP", "en"),  # abbreviations only in capitals, never inside a word
        ("us and eu", "en"),
        ("ес и мид", "ru"),
        ("turkey for dinner", "en"),  # a capitalised name needs a capital letter
        ("армения", "ru"),
    ],
)
def test_case_rules_keep_common_words_out(text: str, language: str) -> None:
    ids = [leaves[0][1] for _span, leaves in _matches(text, language)]
    assert "un" not in ids and "USA" not in ids and "eu" not in ids
    assert "TUR" not in ids and "ARM" not in ids and "foreign ministry" not in ids


def test_longest_match_wins_and_keeps_every_meaning() -> None:
    found = dict(_matches("the UN Security Council met", "en"))
    assert found == {"UN Security Council": [("name", "un-security-council")]}
    found = dict(_matches("the Security Council met", "en"))
    assert ("name", "un-security-council") in found["Security Council"]
    assert ("body", "security council") in found["Security Council"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Мгер Григорян", "mger-grigoryan"),
        ("Ерасх", "yeraskh"),
        ("Արմեն Գրիգորյան", "armen-grigoryan"),
        ("Ոսկան Երևանցի", "voskan-yerevantsi"),
        ("Miroslav Jenča", "miroslav-jenca"),
        ("Feridun Sinirlioğlu", "feridun-sinirlioglu"),
        # Cyrillic and Armenian spellings of Azerbaijani names converge with the usual English one.
        ("Айхан Гаджизаде", "aykhan-hajizada"),
        ("Այխան Հաջիզադե", "aykhan-hajizada"),
        ("Гаджиев", "hajiyev"),
        ("Հաջիև", "hajiyev"),
        ("Алиев", "aliyev"),
        ("Ալիև", "aliyev"),
        ("Мустафаев", "mustafayev"),
        ("Մուստաֆաև", "mustafayev"),
        ("Сергеев", "sergeyev"),
        ("Джейхун", "jeykhun"),
        ("Məmmədov", "mammadov"),
    ],
)
def test_slug(name: str, expected: str) -> None:
    assert slug(name) == expected


def test_normalize_and_transliteration_tables_cover_the_alphabets() -> None:
    assert normalize("Пётр") == "петр"
    for letter in "абвгдеёжзийклмнопрстуфхцчшщъыьэюя":
        assert re.fullmatch(r"[a-z]*", slug("а" + letter).replace("-", "")), letter
    for code in range(ord("ա"), ord("ֆ") + 1):
        assert re.fullmatch(r"[a-z]+", slug("ա" + chr(code))), chr(code)


@pytest.mark.parametrize("language", LANGUAGES)
def test_data_files_exist_for_each_language(language: str) -> None:
    base = resources.files("newswatch").joinpath("data/gazetteer")
    assert base.joinpath(f"lang/{language}.toml").is_file()
    assert base.joinpath(f"names/{language}.tsv").is_file()
    assert base.joinpath(f"generated/names-{language}.tsv").is_file()


def test_unknown_language_falls_back_to_english() -> None:
    assert gazetteer("xx").language == "en"


def test_people_have_a_gender() -> None:
    registry = known_actors()
    people = [actor_id for actor_id, known in registry.items() if known.info.type == "person"]
    assert people and all(actor_gender(actor_id) in ("m", "f") for actor_id in people)
    assert actor_gender("hikmet-hajiyev") == "m"
    assert actor_gender("maria-zakharova") == "f"
    assert actor_gender("ani-badalyan") == "f"
    # a person the gazetteer does not list: the first name, when it is a known given name
    assert actor_gender("anna-petrosyan") == "f"
    assert actor_gender("tigran-sahakyan") == "m"
    assert actor_gender("qwerty-petrosyan") is None
    assert actor_gender("un") is None
    assert actor_gender("ARM") is None


@pytest.mark.parametrize(
    ("actor_id", "names"),
    [
        ("aykhan-hajizada", ("Aykhan Hajizada", "Айхан Гаджизаде", "Այխան Հաջիզադե")),
        ("toivo-klaar", ("Toivo Klaar", "Тойво Клаар", "Տոյվո Կլաար")),
        ("hikmet-hajiyev", ("Hikmet Hajiyev", "Хикмет Гаджиев", "Հիքմեթ Հաջիև")),
        ("eduard-spertsyan", ("Eduard Spertsyan", "Эдуард Сперцян", "Էդուարդ Սպերցյան")),
        ("ani-badalyan", ("Ani Badalyan", "Ани Бадалян", "Անի Բադալյան")),
    ],
)
def test_the_regions_people_are_listed_in_three_scripts(actor_id: str, names: tuple[str, ...]) -> None:
    assert actor_id in known_actors()
    for language, name in zip(LANGUAGES, names, strict=True):
        found = _matches(name, language)
        assert found == [(name, [("name", actor_id)])], (language, found)
