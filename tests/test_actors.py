"""The actors stage: the seed, fixtures in three languages, and one test per rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import shared_dir
from newswatch.model import Actor, RawInput
from newswatch.pipeline import process
from newswatch.understand.actors import actor_info, find_actors
from newswatch.understand.sentences import split_sentences

FIXTURES = Path(__file__).resolve().parent / "fixtures/understand/actors"


def _actors(text: str, language: str | None) -> dict[str, Actor]:
    return {a.id: a for a in find_actors(text, language, split_sentences(text, language))}


def _mentions(actor: Actor) -> list[str]:
    return [m.text for m in actor.mentions]


@pytest.mark.shared
def test_seed() -> None:
    path = shared_dir() / "examples/seed-un-ceasefire-en.txt"
    (article,) = process(RawInput(path.read_bytes(), str(path)))
    actors = _actors(article.text, article.language)
    assert {"un", "ARM", "AZE", "eu", "RUS", "miroslav-jenca"} <= set(actors)
    assert set(actors) <= {
        "un",
        "ARM",
        "AZE",
        "eu",
        "RUS",
        "miroslav-jenca",
        "un-security-council",
        "un-secretary-general",
    }
    jenca = actors["miroslav-jenca"]
    assert (jenca.type, jenca.role, jenca.country) == ("person", "Special Representative", "un")
    assert _mentions(jenca) == ["Miroslav Jenca", "Jenca", "Jenca"]  # "According to Jenca", "Jenca said"
    assert "Armenia's" in _mentions(actors["ARM"])
    assert _mentions(actors["RUS"]) == ["Russian", "Russian Federation"]


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.txt")), ids=lambda p: p.name)
def test_fixture(path: Path) -> None:
    expected = json.loads(path.with_name(path.name[:-4] + ".expected.json").read_text(encoding="utf-8"))
    text = path.read_text(encoding="utf-8")
    actors = _actors(text, expected["language"])
    assert sorted(actors) == sorted(expected["ids"])
    for actor_id, fields in expected["actors"].items():
        actor = actors[actor_id]
        for key, value in fields.items():
            got = _mentions(actor) if key == "mentions" else getattr(actor, key)
            assert got == value, f"{actor_id}.{key}"


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.txt")), ids=lambda p: p.name)
def test_mentions_point_at_their_text_in_order(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    language = path.name.split(".")[1]
    actors = find_actors(text, language, split_sentences(text, language))
    firsts = [a.mentions[0].start for a in actors]
    assert firsts == sorted(firsts)
    for actor in actors:
        assert [m.start for m in actor.mentions] == sorted(m.start for m in actor.mentions)
        assert all(text[m.start : m.end] == m.text for m in actor.mentions)


@pytest.mark.parametrize(
    ("text", "language", "forms"),
    [
        ("Армения, Армении, Армению и Арменией.", "ru", ["Армения", "Армении", "Армению", "Арменией"]),
        (
            "Հայաստան, Հայաստանի, Հայաստանին, Հայաստանը, Հայաստանում։",
            "hy",
            ["Հայաստան", "Հայաստանի", "Հայաստանին", "Հայաստանը", "Հայաստանում"],
        ),
        ("Armenia, Armenia's and Armenian.", "en", ["Armenia", "Armenia's", "Armenian"]),
    ],
)
def test_inflected_forms_resolve_to_one_id(text: str, language: str, forms: list[str]) -> None:
    actors = _actors(text, language)
    assert list(actors) == ["ARM"]
    assert _mentions(actors["ARM"]) == forms


@pytest.mark.parametrize(
    ("text", "language", "forms"),
    [
        ("ՄԱԿ-ը և ՄԱԿ-ի ներկայացուցիչը ՄԱԿ-ում։", "hy", ["ՄԱԿ-ը", "ՄԱԿ-ի", "ՄԱԿ-ում"]),
        ("ООН и Организации Объединённых Наций.", "ru", ["ООН", "Организации Объединённых Наций"]),
        ("The UN and the United Nations.", "en", ["UN", "United Nations"]),
    ],
)
def test_organisation_names_and_abbreviations(text: str, language: str, forms: list[str]) -> None:
    actors = _actors(text, language)
    assert list(actors) == ["un"]
    assert _mentions(actors["un"]) == forms


@pytest.mark.parametrize(
    ("text", "language", "country", "sector", "mention"),
    [
        ("The Armenian foreign ministry said.", "en", "ARM", "foreign ministry", "Armenian foreign ministry"),
        (
            "Azerbaijan's defence ministry said.",
            "en",
            "AZE",
            "defence ministry",
            "Azerbaijan's defence ministry",
        ),
        (
            "The Ministry of Defence of Armenia said.",
            "en",
            "ARM",
            "defence ministry",
            "Ministry of Defence of Armenia",
        ),
        ("The Kremlin said.", "en", "RUS", "presidency", "Kremlin"),
        ("МИД Армении заявил.", "ru", "ARM", "foreign ministry", "МИД Армении"),
        ("В армянском МИД заявили.", "ru", "ARM", "foreign ministry", "армянском МИД"),
        (
            "Министерство обороны Азербайджана сообщило.",
            "ru",
            "AZE",
            "defence ministry",
            "Министерство обороны Азербайджана",
        ),
        ("Հայաստանի ԱԳՆ-ն հայտարարել է։", "hy", "ARM", "foreign ministry", "Հայաստանի ԱԳՆ-ն"),
        ("ՀՀ ԱԳՆ-ից հայտնում են։", "hy", "ARM", "foreign ministry", "ՀՀ ԱԳՆ-ից"),
        (
            "Ադրբեջանի պաշտպանության նախարարությունը հայտնել է։",
            "hy",
            "AZE",
            "defence ministry",
            "Ադրբեջանի պաշտպանության նախարարությունը",
        ),
    ],
)
def test_government_bodies_resolve_to_their_country(
    text: str, language: str, country: str, sector: str, mention: str
) -> None:
    actors = _actors(text, language)
    assert list(actors) == [country]
    assert actors[country].role == sector
    assert _mentions(actors[country]) == [mention]


@pytest.mark.parametrize(
    ("text", "language"),
    [("The ministry said it was ready.", "en"), ("МИД заявил.", "ru"), ("ԱԳՆ-ն հայտարարել է։", "hy")],
)
def test_a_body_without_a_country_is_left_unresolved(text: str, language: str) -> None:
    assert _actors(text, language) == {}


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Yerevan said the talks went well.", "en", {"ARM"}),
        ("Baku rejected the claim.", "en", {"AZE"}),
        ("The talks were held in Yerevan.", "en", {"yerevan"}),
        ("Official Baku did not comment.", "en", {"AZE"}),
        ("Баку отверг обвинения.", "ru", {"AZE"}),
        ("Официальный Баку промолчал.", "ru", {"AZE"}),
        ("Встреча прошла в Ереване.", "ru", {"yerevan"}),
        ("Երևանը հայտարարել է։", "hy", {"ARM"}),
        ("Բաքուն մերժել է։", "hy", {"AZE"}),
        ("Հանդիպումը տեղի է ունեցել Երևանում։", "hy", {"yerevan"}),
        ("Նա կայցելի Բաքու։", "hy", {"baku"}),
    ],
)
def test_capitals_are_the_government_or_the_place(text: str, language: str, expected: set[str]) -> None:
    actors = _actors(text, language)
    assert set(actors) == expected
    for actor in actors.values():
        if actor.type == "place":
            assert actor.country == actor_info(actor.id).country  # type: ignore[union-attr]


def test_a_capital_in_a_longer_name_is_no_actor() -> None:
    assert "ARM" not in _actors("Residents told Yerevan Daily they heard nothing.", "en")


def test_dateline_and_coordination_make_places() -> None:
    actors = _actors("Yerevan, 20 February — Grono visited Yerevan and Baku.", "en")
    assert set(actors) == {"yerevan", "baku", "magdalena-grono"}
    assert _mentions(actors["yerevan"]) == ["Yerevan", "Yerevan"]


@pytest.mark.parametrize(
    ("text", "language", "person", "role", "country", "name"),
    [
        (
            "Armenia's Deputy Foreign Minister Vahan Kostanyan said.",
            "en",
            "vahan-kostanyan",
            "Deputy Foreign Minister",
            "ARM",
            "Vahan Kostanyan",
        ),
        (
            "Armenian Ambassador Tigran Sargsyan said.",
            "en",
            "tigran-sargsyan",
            "Ambassador",
            "ARM",
            "Tigran Sargsyan",
        ),
        (
            "Tigran Sargsyan, ambassador of Armenia, said.",
            "en",
            "tigran-sargsyan",
            "Ambassador",
            "ARM",
            "Tigran Sargsyan",
        ),
        (
            "Hikmet Hajiyev, presidential aide, said.",
            "en",
            "hikmet-hajiyev",
            "Presidential Aide",
            "AZE",
            "Hikmet Hajiyev",
        ),
        (
            "Посол Армении Тигран Саргсян заявил.",
            "ru",
            "tigran-sargsyan",
            "Ambassador",
            "ARM",
            "Тигран Саргсян",
        ),
        (
            "Встреча с вице-премьером Армении Мгером Григоряном.",
            "ru",
            "mher-grigoryan",
            "Deputy Prime Minister",
            "ARM",
            "Мгер Григорян",
        ),
        (
            "Встреча с послом Армении Тиграном Саргсяном.",
            "ru",
            "tigran-sargsyan",
            "Ambassador",
            "ARM",
            "Тигран Саргсян",
        ),
        (
            "Հայաստանի դեսպան Տիգրան Սարգսյանը հայտարարել է։",
            "hy",
            "tigran-sargsyan",
            "Ambassador",
            "ARM",
            "Տիգրան Սարգսյան",
        ),
    ],
)
def test_role_cues_make_people(
    text: str, language: str, person: str, role: str, country: str | None, name: str
) -> None:
    actor = _actors(text, language)[person]
    assert (actor.type, actor.role, actor.name) == ("person", role, name)
    if actor_info(person) is None:
        assert actor.country == country


def test_the_first_role_cue_of_a_chain_is_the_role() -> None:
    text = "The UN Special Representative of the UN Secretary General Miroslav Jenca said this."
    actors = _actors(text, "en")
    assert (actors["miroslav-jenca"].role, actors["miroslav-jenca"].country) == (
        "Special Representative",
        "un",
    )
    assert set(actors) == {"un", "un-secretary-general", "miroslav-jenca"}
    peskov = _actors("Пресс-секретарь президента России Дмитрий Песков заявил.", "ru")["dmitry-peskov"]
    assert peskov.role == "Spokesperson"


def test_an_organ_that_is_an_office_gives_the_role() -> None:
    guterres = _actors("UN Secretary-General António Guterres spoke.", "en")["antonio-guterres"]
    assert (guterres.role, guterres.country) == ("Secretary-General", "un")


@pytest.mark.parametrize(
    ("text", "language", "person", "mentions"),
    [
        (
            "Ambassador Tigran Sargsyan arrived. Sargsyan said the talks were useful.",
            "en",
            "tigran-sargsyan",
            ["Tigran Sargsyan", "Sargsyan"],
        ),
        (
            "Посол Тигран Саргсян прибыл. По словам Саргсяна, встреча была полезной.",
            "ru",
            "tigran-sargsyan",
            ["Тигран Саргсян", "Саргсяна"],
        ),
        (
            "Դեսպան Տիգրան Սարգսյանը ժամանել է։ Սարգսյանի խոսքով՝ հանդիպումը օգտակար էր։",
            "hy",
            "tigran-sargsyan",
            ["Տիգրան Սարգսյանը", "Սարգսյանի"],
        ),
        (
            "Miroslav Jenča spoke. Jenca said more. According to Jenča, it was hard.",
            "en",
            "miroslav-jenca",
            ["Miroslav Jenča", "Jenca", "Jenča"],
        ),
    ],
)
def test_later_surnames_resolve_to_the_same_person(
    text: str, language: str, person: str, mentions: list[str]
) -> None:
    assert _mentions(_actors(text, language)[person]) == mentions


def test_a_shared_surname_goes_to_the_person_named_last() -> None:
    text = "Armen Grigoryan spoke first. Then Mher Grigoryan spoke. Grigoryan said the plan was agreed."
    actors = _actors(text, "en")
    assert _mentions(actors["mher-grigoryan"]) == ["Mher Grigoryan", "Grigoryan"]
    assert _mentions(actors["armen-grigoryan"]) == ["Armen Grigoryan"]
    assert _actors("Grigoryan said so.", "en") == {}  # two known Grigoryans, neither named


@pytest.mark.parametrize(
    ("text", "language", "absent"),
    [
        ("Jordan Peterson spoke.", "en", "JOR"),
        ("Chad said no.", "en", "TCD"),
        ("He met Michael Jordan.", "en", "JOR"),
        ("Того же мнения придерживается министр.", "ru", "TGO"),
    ],
)
def test_ambiguous_names_need_a_clear_context(text: str, language: str, absent: str) -> None:
    assert absent not in _actors(text, language)


def test_ambiguous_names_in_a_clear_context() -> None:
    assert "JOR" in _actors("The minister visited Jordan last week.", "en")
    assert "GEO" in _actors("Georgia and Armenia signed it.", "en")


def test_places_carry_their_country_and_per_language_names() -> None:
    en = _actors("Shelling was reported near Stepanakert.", "en")["stepanakert"]
    ru = _actors("Обстрел у Степанакерта.", "ru")["stepanakert"]
    hy = _actors("Կրակոցներ Ստեփանակերտի մոտ։", "hy")["stepanakert"]
    assert (en.type, en.country) == ("place", "AZE")
    assert (en.name, ru.name, hy.name) == ("Stepanakert (Khankendi)", "Степанакерт (Ханкенди)", "Ստեփանակերտ")


def test_no_language_reads_as_english() -> None:
    assert set(_actors("Armenia and the UN.", None)) == {"ARM", "un"}


def test_empty_text() -> None:
    assert find_actors("", "en", ()) == ()


def test_a_role_cue_does_not_reach_across_a_clause() -> None:
    mirzoyan = _actors("The spokesperson for the ministry said Mirzoyan arrived.", "en")["ararat-mirzoyan"]
    assert mirzoyan.role == "Foreign Minister"  # the gazetteer's, not "Spokesperson"
    assert not any(
        a.type == "person"
        for a in _actors("The spokesperson for the ministry said Nobody Knows.", "en").values()
    )


@pytest.mark.parametrize(
    ("text", "language", "actor_id", "role"),
    [
        (
            "Striker Aram Sahakyan scored twice, and coach Levon Manukyan praised him.",
            "en",
            "aram-sahakyan",
            "Striker",
        ),
        ("Нападающий Арам Саакян забил дважды.", "ru", "aram-saakyan", "Striker"),
        ("Հարձակվող Արամ Սահակյանը երկու գոլ խփեց։", "hy", "aram-sahakyan", "Striker"),
        ("Главный тренер Левон Манукян доволен игрой.", "ru", "levon-manukyan", "Coach"),
        ("Մարզիչ Լևոն Մանուկյանը գոհ է։", "hy", "levon-manukyan", "Coach"),
    ],
)
def test_sports_roles_make_people(text: str, language: str, actor_id: str, role: str) -> None:
    actor = _actors(text, language)[actor_id]
    assert (actor.type, actor.role) == ("person", role)


@pytest.mark.parametrize(
    ("texts", "actor_id"),
    [
        (
            (
                "Foreign Ministry spokesman Aykhan Hajizada said Baku was ready for talks.",
                "Пресс-секретарь МИД Азербайджана Айхан Гаджизаде заявил, что Баку готов к переговорам.",
                "Ադրբեջանի ԱԳՆ խոսնակ Այխան Հաջիզադեն հայտարարել է, որ Բաքուն պատրաստ է։",
            ),
            "aykhan-hajizada",
        ),
        (
            (
                "EU envoy Toivo Klaar arrived in Yerevan.",
                "Спецпредставитель ЕС Тойво Клаар прибыл в Ереван.",
                "ԵՄ հատուկ ներկայացուցիչ Տոյվո Կլաարը ժամանել է Երևան։",
            ),
            "toivo-klaar",
        ),
        (
            (
                "Striker Eduard Spertsyan scored.",
                "Нападающий Эдуард Сперцян забил.",
                "Հարձակվող Էդուարդ Սպերցյանը գոլ խփեց։",
            ),
            "eduard-spertsyan",
        ),
        (
            # not in the gazetteer: the transliteration rules make the ids meet
            (
                "Spokesman Elnur Guliyev said the talks went well.",
                "Пресс-секретарь Эльнур Гулиев заявил, что переговоры прошли хорошо.",
                "Խոսնակ Էլնուր Գուլիևը հայտարարել է, որ բանակցությունները լավ են անցել։",
            ),
            "elnur-guliyev",
        ),
        (
            (
                "Spokesman Tural Rustamzada said the talks went well.",
                "Пресс-секретарь Турал Рустамзаде заявил, что переговоры прошли хорошо.",
                "Խոսնակ Տուրալ Ռուստամզադեն հայտարարել է, որ բանակցությունները լավ են անցել։",
            ),
            "tural-rustamzada",
        ),
    ],
)
def test_one_person_keeps_one_id_across_scripts(texts: tuple[str, str, str], actor_id: str) -> None:
    for language, text in zip(("en", "ru", "hy"), texts, strict=True):
        actors = _actors(text, language)
        assert actor_id in actors, (language, sorted(actors))
        assert actors[actor_id].type == "person"
