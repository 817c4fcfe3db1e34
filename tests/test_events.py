"""Coded events: fixtures in en/hy/ru with hand-written expectations, the seed, and the rules one by one.

Actors and quotes are built here by hand (their finders are tested in their own modules): ``_actors`` turns
``(id, type, surfaces)`` into :class:`Actor` records whose mentions are every whole-word occurrence of the
surfaces in the text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

from conftest import shared_dir
from newswatch.extract.capture import parse_capture
from newswatch.model import Actor, Event, Mention, Quote
from newswatch.understand.event_lexicon import event_types, lexicon
from newswatch.understand.events import find_events
from newswatch.understand.sentences import split_sentences

FIXTURES = Path(__file__).parent / "fixtures" / "understand" / "events"
PLOVER = {
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
}  # fmt: skip


def _actors(text: str, spec: Iterable[tuple[str, str, Sequence[str]]]) -> list[Actor]:
    actors = []
    for ident, kind, surfaces in spec:
        mentions: list[Mention] = []
        for surface in sorted(surfaces, key=len, reverse=True):
            for m in re.finditer(r"(?<!\w)" + re.escape(surface) + r"(?!\w)", text):
                if not any(x.start <= m.start() < x.end for x in mentions):
                    mentions.append(Mention(m.start(), m.end(), m.group()))
        if not mentions:
            continue  # the shared spec names actors some texts do not mention
        actors.append(Actor(ident, ident, kind, mentions=tuple(sorted(mentions, key=lambda m: m.start))))  # type: ignore[arg-type]
    return actors


def _quote(text: str, speaker: str, quoted: str) -> Quote:
    start = text.index(quoted)
    return Quote(speaker, quoted, start, start + len(quoted), True, "said")


def _events(
    text: str,
    language: str | None,
    spec: Iterable[tuple[str, str, Sequence[str]]],
    quotes: Sequence[Quote] = (),
    published: str | None = "2026-03-05",
) -> tuple[Event, ...]:
    return find_events(
        text, language, split_sentences(text, language), _actors(text, spec), quotes, published=published
    )


def _core(events: Iterable[Event]) -> set[tuple[str, str, str | None, bool, str | None]]:
    return {(e.type, e.source, e.target, e.negated, e.claimed_by) for e in events}


# --- fixtures -----------------------------------------------------------------------------------------


def _fixture_cases() -> list[Any]:
    return [
        pytest.param(p, id=p.name.removesuffix(".expected.json"))
        for p in sorted(FIXTURES.glob("*.expected.json"))
    ]


def test_fixtures_cover_every_language_and_type() -> None:
    names = {p.name for p in FIXTURES.glob("*.expected.json")}
    assert {n[:2] for n in names} == {"en", "hy", "ru"}
    for language in ("en", "hy", "ru"):
        covered = set()
        for path in FIXTURES.glob(f"{language}-*.expected.json"):
            covered |= {e["type"] for e in json.loads(path.read_text(encoding="utf-8"))["events"]}
        assert covered == PLOVER, (language, PLOVER - covered)


@pytest.mark.parametrize("expected_path", _fixture_cases())
def test_fixture(expected_path: Path) -> None:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    text = expected_path.with_name(expected_path.name.replace(".expected.json", ".txt")).read_text(
        encoding="utf-8"
    )
    spec = [(a["id"], a["type"], a["surfaces"]) for a in expected["actors"]]
    assert all(s in text for a in expected["actors"] for s in a["surfaces"])
    quotes = [_quote(text, q["speaker"], q["text"]) for q in expected["quotes"]]
    events = _events(text, expected["language"], spec, quotes, expected["published"])
    want = [(e["type"], e["source"], e["target"], e["negated"], e["claimed_by"]) for e in expected["events"]]
    assert [(e.type, e.source, e.target, e.negated, e.claimed_by) for e in events] == want
    for item, event in zip(expected["events"], events, strict=True):
        for key in ("cameo", "date", "location"):
            if key in item:
                assert getattr(event, key) == item[key], (item, key)
    for event in events:
        assert text[event.start : event.end] == event.sentence
        assert 0.0 <= event.confidence <= 1.0


# --- the seed -----------------------------------------------------------------------------------------


@pytest.mark.shared
def test_seed_gives_the_uns_support_request_and_the_mutual_accusation() -> None:
    seed = shared_dir() / "examples" / "seed-un-ceasefire-en.txt"
    text = parse_capture(seed.read_text(encoding="utf-8"), reference=None).text
    spec = [
        ("un", "organization", ["UN"]),
        ("un-secretary-general", "organization", ["UN Secretary General", "UN secretary general"]),
        ("un-security-council", "organization", ["UN Security Council"]),
        ("ARM", "country", ["Armenia", "Armenia's"]),
        ("AZE", "country", ["Azerbaijan"]),
        ("RUS", "country", ["Russian Federation", "Russian"]),
        ("eu", "organization", ["EU"]),
        ("miroslav-jenca", "person", ["Miroslav Jenca", "Jenca"]),
    ]
    events = _events(text, "en", spec, published="2026-01-28")
    core = {(e.type, e.source, e.target) for e in events}
    assert {("SUPPORT", "un", "ARM"), ("SUPPORT", "un", "AZE")} <= core
    assert {("ACCUSE", "ARM", "AZE"), ("ACCUSE", "AZE", "ARM")} <= core
    assert {("REQUEST", "un", "ARM"), ("REQUEST", "un", "AZE")} <= core
    assert not {e for e in events if e.type == "ACCUSE" and "RUS" in (e.source, e.target)}
    accuse = next(e for e in events if e.type == "ACCUSE")
    assert "alleging" in accuse.sentence and accuse.date == "2026-01-28"
    # "Jenca said … and called on the parties": the coordinated predicate belongs to Jenca
    assert ("REQUEST", "miroslav-jenca", "ARM") in core


# --- the rules ----------------------------------------------------------------------------------------

EN = [
    ("ARM", "country", ["Armenia", "Armenian", "Yerevan"]),
    ("AZE", "country", ["Azerbaijan", "Azerbaijani", "Baku"]),
    ("RUS", "country", ["Russia", "Moscow", "Russian"]),
    ("un", "organization", ["UN"]),
    ("ilham-aliyev", "person", ["Aliyev"]),
    ("nikol-pashinyan", "person", ["Pashinyan"]),
]


@pytest.mark.parametrize(
    ("text", "language", "negated"),
    [
        ("Azerbaijan accused Armenia of provocations.", "en", False),
        ("Azerbaijan did not accuse Armenia of provocations.", "en", True),
        ("Azerbaijan has never accused Armenia of provocations.", "en", True),
        ("Азербайджан не обвинял Армению.", "ru", True),
        ("Ադրբեջանը չի մեղադրել Հայաստանին։", "hy", True),
        ("Ադրբեջանը չմեղադրեց Հայաստանին։", "hy", True),
        ("Ադրբեջանը մեղադրեց Հայաստանին։", "hy", False),
    ],
)
def test_negation(text: str, language: str, negated: bool) -> None:
    spec = [
        ("AZE", "country", ["Azerbaijan", "Азербайджан", "Ադրբեջանը"]),
        ("ARM", "country", ["Armenia", "Армению", "Հայաստանին"]),
    ]
    spec = [(i, t, [s for s in surfaces if s in text]) for i, t, surfaces in spec]
    (event,) = _events(text, language, spec)
    assert (event.type, event.source, event.target, event.negated) == ("ACCUSE", "AZE", "ARM", negated)


def test_sport_is_not_an_assault_but_the_same_verb_outside_sport_is() -> None:
    spec = [("ARM", "country", ["Armenia"]), ("LVA", "country", ["Latvia"])]
    assert _events("Armenia beat Latvia 2-1 in the qualifier.", "en", spec) == ()
    assert _events("Armenia beat Latvia in the football match.", "en", spec) == ()
    (event,) = _events("Armenia attacked Latvia.", "en", spec)
    assert (event.type, event.cameo, event.source, event.target) == ("ASSAULT", "190", "ARM", "LVA")


@pytest.mark.parametrize(
    "text",
    [
        "Armenian officials called the fire brigade after the blast.",
        "Azerbaijani investigators said the money went to a shell company.",
        "The Russian ambassador suffered a heart attack.",
        "Azerbaijani armed forces remain on the border.",
    ],
)
def test_other_senses_do_not_fire(text: str) -> None:
    assert [e.type for e in _events(text, "en", EN)] == []


def test_opened_fire_and_shelling_do_fire() -> None:
    events = _events(
        "Azerbaijani troops opened fire on Armenian positions. Armenia shelled the area.", "en", EN
    )
    assert [(e.type, e.cameo, e.source, e.target) for e in events] == [
        ("ASSAULT", "193", "AZE", "ARM"),
        ("ASSAULT", "194", "ARM", None),
    ]


def test_claims_from_speech_verbs_and_according_to() -> None:
    events = _events(
        "Baku claimed that Armenian units opened fire. According to Yerevan, Azerbaijani troops shelled the village.",
        "en",
        EN,
    )
    assert _core(events) == {("ASSAULT", "ARM", None, False, "AZE"), ("ASSAULT", "AZE", None, False, "ARM")}


def test_claims_inside_a_quote_belong_to_its_speaker() -> None:
    text = 'Pashinyan said: "Azerbaijan attacked Armenian positions at dawn."'
    quote = _quote(text, "nikol-pashinyan", "Azerbaijan attacked Armenian positions at dawn.")
    (event,) = _events(text, "en", EN, quotes=[quote])
    assert (event.source, event.target, event.claimed_by) == ("AZE", "ARM", "nikol-pashinyan")


def test_we_inside_a_quote_is_the_speaker_and_not_a_claim() -> None:
    spec = [*EN, ("miroslav-jenca", "person", ["Jenca"])]
    text = 'Armenia and Azerbaijan met. Jenca added: "We urge the parties to keep talking."'
    quote = _quote(text, "miroslav-jenca", "We urge the parties to keep talking.")
    events = [e for e in _events(text, "en", spec, quotes=[quote]) if e.type == "REQUEST"]
    assert {(e.source, e.target, e.claimed_by) for e in events} == {
        ("miroslav-jenca", "ARM", None),
        ("miroslav-jenca", "AZE", None),
    }
    assert all(e.confidence < 0.8 for e in events)


def test_the_parties_are_the_two_leading_countries_other_than_the_source() -> None:
    text = "Russia hosted Armenia and Azerbaijan. Armenia and Azerbaijan spoke. Russia urged the parties to talk."
    events = [e for e in _events(text, "en", EN) if e.type == "REQUEST"]
    assert {(e.source, e.target) for e in events} == {("RUS", "ARM"), ("RUS", "AZE")}


def test_passive_takes_the_doer_after_by_and_skips_an_unnamed_one() -> None:
    (event,) = _events("Armenian positions were shelled by Azerbaijani forces.", "en", EN)
    assert (event.source, event.target) == ("AZE", "ARM")
    assert _events("Armenia said the ceasefire was violated.", "en", EN) == ()


def test_irrealis_and_denial_do_not_code_the_event_they_govern() -> None:
    events = _events(
        "Russia urged Azerbaijan to stop shelling. Azerbaijan denied attacking Armenia.", "en", EN
    )
    assert [(e.type, e.source, e.target) for e in events] == [
        ("REQUEST", "RUS", "AZE"),
        ("REJECT", "AZE", "ARM"),
    ]


def test_one_event_per_target_and_between_x_and_y() -> None:
    events = _events(
        "The UN welcomed talks between Armenia and Azerbaijan. Clashes between Armenia and Azerbaijan resumed.",
        "en",
        EN,
    )
    assert {(e.type, e.source, e.target) for e in events} == {
        ("SUPPORT", "un", "ARM"),
        ("SUPPORT", "un", "AZE"),
        ("CONSULT", "ARM", "AZE"),  # the talks themselves, between the two
        ("CONSULT", "AZE", "ARM"),
        ("ASSAULT", "ARM", "AZE"),
        ("ASSAULT", "AZE", "ARM"),
    }


@pytest.mark.parametrize(
    ("text", "language", "date"),
    [
        ("Pashinyan met Aliyev on Tuesday.", "en", "2026-03-03"),  # published Thursday 5 March
        ("Pashinyan met Aliyev on Thursday.", "en", "2026-03-05"),
        ("Pashinyan met Aliyev yesterday.", "en", "2026-03-04"),
        ("Pashinyan met Aliyev on March 3.", "en", "2026-03-03"),
        ("Pashinyan met Aliyev on December 30.", "en", "2025-12-30"),
        ("Pashinyan met Aliyev on 4 April 2024.", "en", "2024-04-04"),
        ("Pashinyan met Aliyev.", "en", "2026-03-05"),
        ("Пашинян встретился с Алиевым в среду.", "ru", "2026-03-04"),
        ("Вчера Пашинян встретился с Алиевым.", "ru", "2026-03-02"),
        ("Пашинян встретился с Алиевым 1 марта 2026 года.", "ru", "2026-03-01"),
        ("Փաշինյանը չորեքշաբթի օրը հանդիպել է Ալիևի հետ։", "hy", "2026-03-04"),
        ("Փաշինյանը երեկ հանդիպել է Ալիևի հետ։", "hy", "2026-03-04"),
        ("Փաշինյանը մարտի 2-ին հանդիպել է Ալիևի հետ։", "hy", "2026-03-02"),
    ],
)
def test_dates(text: str, language: str, date: str) -> None:
    spec = [
        ("nikol-pashinyan", "person", [s for s in ("Pashinyan", "Пашинян", "Փաշինյանը") if s in text]),
        ("ilham-aliyev", "person", [s for s in ("Aliyev", "Алиевым", "Ալիևի") if s in text]),
    ]
    published = "2026-03-03" if text.startswith("Вчера") else "2026-03-05T09:30:00+04:00"
    (event,) = _events(text, language, spec, published=published)
    assert (event.type, event.source, event.target, event.date) == (
        "CONSULT",
        "nikol-pashinyan",
        "ilham-aliyev",
        date,
    )


def test_a_document_date_does_not_date_the_event_and_no_publication_date_gives_none() -> None:
    text = "Russia called on Armenia to honour the November 9, 2020 statement."
    (event,) = _events(text, "en", EN, published="2026-03-05")
    assert event.date == "2026-03-05"
    (event,) = _events(text, "en", EN, published=None)
    assert event.date is None


@pytest.mark.parametrize(
    ("text", "language", "location"),
    [
        ("Pashinyan met Aliyev in Gabala.", "en", "gabala"),
        ("Pashinyan met Aliyev in Moscow.", "en", "RUS"),
        ("Пашинян встретился с Алиевым в Габале.", "ru", "gabala"),
        ("Փաշինյանը Գաբալայում հանդիպել է Ալիևի հետ։", "hy", "gabala"),
        ("Pashinyan met Aliyev.", "en", None),
    ],
)
def test_location(text: str, language: str, location: str | None) -> None:
    spec = [
        ("nikol-pashinyan", "person", [s for s in ("Pashinyan", "Пашинян", "Փաշինյանը") if s in text]),
        ("ilham-aliyev", "person", [s for s in ("Aliyev", "Алиевым", "Ալիևի") if s in text]),
        ("gabala", "place", [s for s in ("Gabala", "Габале", "Գաբալայում") if s in text]),
        ("RUS", "country", [s for s in ("Moscow",) if s in text]),
    ]
    (event,) = _events(text, language, [s for s in spec if s[2]])
    assert (event.source, event.target, event.location) == ("nikol-pashinyan", "ilham-aliyev", location)


def test_armenian_object_before_the_verb() -> None:
    spec = [("AZE", "country", ["Ադրբեջանը"]), ("ARM", "country", ["Հայաստանին"])]
    (event,) = _events("Ադրբեջանը Հայաստանին մեղադրել է սադրանքների մեջ։", "hy", spec)
    assert (event.type, event.source, event.target) == ("ACCUSE", "AZE", "ARM")


def test_no_lexicon_no_text_no_events() -> None:
    assert _events("Armenia accused Azerbaijan.", "de", EN) == ()
    assert _events("Armenia accused Azerbaijan.", None, EN) == ()
    assert find_events("", "en", (), (), (), published=None) == ()


def test_sentences_are_split_when_none_are_given() -> None:
    text = "Azerbaijan accused Armenia. Russia urged Armenia to talk."
    events = find_events(text, "en", (), _actors(text, EN), (), published=None)
    assert [(e.type, e.sentence) for e in events] == [
        ("ACCUSE", "Azerbaijan accused Armenia."),
        ("REQUEST", "Russia urged Armenia to talk."),
    ]


# --- the data -----------------------------------------------------------------------------------------


def test_types_table_has_the_sixteen_plover_types() -> None:
    types = event_types()
    assert set(types) == PLOVER
    assert {t.family for t in types.values()} == {"cooperation", "conflict"}
    assert types["ACCUSE"].cameo == "112" and types["ACCUSE"].reports
    assert types["ASSAULT"].sport and not types["SUPPORT"].sport


@pytest.mark.parametrize("language", ["en", "ru", "hy"])
def test_every_language_has_cues_for_every_type(language: str) -> None:
    lex = lexicon(language)
    assert lex is not None and lexicon(language) is lex  # loaded once
    cued = {p.type for phrases in lex.phrases.values() for p in phrases if p.kind == "cue"}
    assert cued == PLOVER
    kinds = {p.kind for phrases in lex.phrases.values() for p in phrases}
    assert {"claim", "collective", "reciprocal"} <= kinds
    assert lex.negations and lex.sport is not None and lex.month_names and lex.weekday_names


# --- review 3: local sport context, negated allegations, other senses, pronouns, titles, bodies ------------


@pytest.mark.parametrize(
    ("text", "language", "spec"),
    [
        (
            "Azerbaijani troops shelled Armenian positions near Sotk on Friday.\n\n"
            "In football, Armenia beat Latvia 2-1 in the qualifying match.",
            "en",
            [("AZE", "country", ["Azerbaijani"]), ("ARM", "country", ["Armenian", "Armenia"])],
        ),
        (
            "Азербайджанские военные обстреляли армянские позиции.\n\n"
            "В футбольном матче сборная Армении обыграла Латвию со счетом 2:1.",
            "ru",
            [("AZE", "country", ["Азербайджанские"]), ("ARM", "country", ["армянские", "Армении"])],
        ),
    ],
)
def test_a_football_paragraph_does_not_remove_a_shelling_elsewhere(
    text: str, language: str, spec: list[tuple[str, str, list[str]]]
) -> None:
    events = _events(text, language, spec)
    assert [(e.type, e.source, e.target) for e in events] == [("ASSAULT", "AZE", "ARM")]


def test_a_sports_paragraph_still_suppresses_its_own_attacks() -> None:
    spec = [("ARM", "country", ["Armenia"]), ("LVA", "country", ["Latvia"])]
    text = (
        "Armenia beat Latvia 2-1 in the qualifier. In the second half Armenia attacked Latvia without pause."
    )
    assert _events(text, "en", spec) == ()
    text = "Armenia won the match 2-1 on Saturday. Armenia attacked Latvia without pause."
    assert _events(text, "en", spec) == ()  # two sport signals in the paragraph


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Armenia did not accuse Azerbaijan of violating the ceasefire this week, the ministry said.", "en"),
        ("Հայաստանը չի մեղադրել Ադրբեջանին հրադադարի խախտման մեջ։", "hy"),
        ("Армения не обвиняла Азербайджан в нарушении режима прекращения огня.", "ru"),
    ],
)
def test_a_negated_accusation_asserts_nothing_it_contains(text: str, language: str) -> None:
    spec = [
        ("ARM", "country", [s for s in ("Armenia", "Հայաստանը", "Армения") if s in text]),
        ("AZE", "country", [s for s in ("Azerbaijan", "Ադրբեջանին", "Азербайджан") if s in text]),
    ]
    assert _core(_events(text, language, spec)) == {("ACCUSE", "ARM", "AZE", True, None)}
    affirmed = _events(text.replace(" did not accuse", " accused").replace("չի մեղադրել", "մեղադրել է")
                       .replace("не обвиняла", "обвинила"), language, spec)  # fmt: skip
    assert ("ASSAULT", "AZE", None, False, "ARM") in _core(affirmed)


def test_a_negated_claim_asserts_nothing_it_contains() -> None:
    assert _events("Baku did not claim that Armenian units opened fire.", "en", EN) == ()


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The Kremlin declined to comment.", "en"),
        ("The Kremlin refused to comment on the talks.", "en"),
        ("В Кремле отказались от комментариев.", "ru"),
        ("Кремль отказался комментировать переговоры.", "ru"),
        ("Կրեմլը հրաժարվել է մեկնաբանել։", "hy"),
        ("Badalyan spoke after Hajiyev had commented on the talks.", "en"),
        ("Кремль высказался о переговорах.", "ru"),
        ("Կրեմլը խոսել է բանակցությունների մասին։", "hy"),
    ],
)
def test_declining_comment_and_speaking_about_talks_are_no_events(text: str, language: str) -> None:
    spec = [
        ("RUS", "country", [s for s in ("Kremlin", "Кремль", "Кремле", "Կրեմլը") if s in text]),
        ("ani-badalyan", "person", [s for s in ("Badalyan",) if s in text]),
        ("hikmet-hajiyev", "person", [s for s in ("Hajiyev",) if s in text]),
    ]
    assert [(e.type, e.source) for e in _events(text, language, [s for s in spec if s[2]])] == []


@pytest.mark.parametrize(
    ("text", "language", "negated"),
    [
        ("Azerbaijan is ready to sign a peace treaty with Armenia.", "en", False),
        ("Azerbaijan is not ready to sign a peace treaty with Armenia.", "en", True),
        ("Азербайджан готов подписать мирный договор с Арменией.", "ru", False),
        ("Ադրբեջանը պատրաստ է Հայաստանի հետ խաղաղության պայմանագիր ստորագրել։", "hy", False),
    ],
)
def test_readiness_to_sign_is_an_intention_not_a_signing(text: str, language: str, negated: bool) -> None:
    spec = [
        ("AZE", "country", [s for s in ("Azerbaijan", "Азербайджан", "Ադրբեջանը") if s in text]),
        ("ARM", "country", [s for s in ("Armenia", "Арменией", "Հայաստանի") if s in text]),
    ]
    events = _events(text, language, spec)
    assert [(e.type, e.cameo, e.source, e.negated) for e in events] == [("AGREE", "030", "AZE", negated)]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Aliyev arrived in Gabala on Monday. He met Pashinyan.", "en"),
        ("Алиев прибыл в Габалу в понедельник. Он встретился с Пашиняном.", "ru"),
        ("Ալիևը երկուշաբթի ժամանել է Գաբալա։ Նա հանդիպել է Նիկոլ Փաշինյանի հետ։", "hy"),
    ],
)
def test_a_pronoun_subject_is_the_last_person_named(text: str, language: str) -> None:
    spec = [
        ("ilham-aliyev", "person", [s for s in ("Aliyev", "Алиев", "Ալիևը") if s in text]),
        (
            "nikol-pashinyan",
            "person",
            [s for s in ("Pashinyan", "Пашиняном", "Նիկոլ Փաշինյանի") if s in text],
        ),
    ]
    events = [e for e in _events(text, language, spec) if e.target is not None]
    assert [(e.type, e.source, e.target) for e in events] == [("CONSULT", "ilham-aliyev", "nikol-pashinyan")]
    assert events[0].confidence < 0.8


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Mirzoyan met Azerbaijani Foreign Minister Jeyhun Bayramov in Geneva.", "en"),
        ("Միրզոյանը Ժնևում հանդիպել է Ադրբեջանի ԱԳ նախարար Ջեյհուն Բայրամովի հետ։", "hy"),
        ("Мирзоян встретился с министром иностранных дел Азербайджана Джейхуном Байрамовым.", "ru"),
    ],
)
def test_a_person_after_their_countrys_title_is_the_target(text: str, language: str) -> None:
    spec = [
        ("ararat-mirzoyan", "person", [s for s in ("Mirzoyan", "Միրզոյանը", "Мирзоян") if s in text]),
        ("AZE", "country", [s for s in ("Azerbaijani", "Ադրբեջանի", "Азербайджана") if s in text]),
        ("jeyhun-bayramov", "person",
         [s for s in ("Jeyhun Bayramov", "Ջեյհուն Բայրամովի", "Джейхуном Байрамовым") if s in text]),
    ]  # fmt: skip
    events = _events(text, language, spec)
    assert [(e.type, e.source, e.target) for e in events] == [
        ("CONSULT", "ararat-mirzoyan", "jeyhun-bayramov")
    ]


def test_in_a_ministry_next_to_a_speech_verb_is_no_location() -> None:
    text = "Азербайджан не обстреливал армянские позиции, заявили в Минобороны Азербайджана."
    spec = [
        ("AZE", "country", ["Азербайджан", "Минобороны Азербайджана"]),
        ("ARM", "country", ["армянские"]),
    ]
    (event,) = _events(text, "ru", spec)
    assert (event.type, event.source, event.target, event.negated, event.location) == (
        "ASSAULT", "AZE", "ARM", True, None,
    )  # fmt: skip
    (event,) = _events("Азербайджан обстрелял армянские позиции в Армении.", "ru",
                       [("AZE", "country", ["Азербайджан"]), ("ARM", "country", ["армянские", "Армении"])])  # fmt: skip
    assert event.location == "ARM"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "Armenia and Azerbaijan exchanged fire. They keep channels open with the authorities of the two "
            "countries and are ready to help if needed.",
            "en",
        ),
        (
            "Armenia and Azerbaijan exchanged fire. They keep channels open with the government of Armenia "
            "and are ready to help if needed.",
            "en",
        ),
        (
            "Армения и Азербайджан обменялись огнем. Они поддерживают связь с властями двух стран и готовы "
            "помочь.",
            "ru",
        ),
        (
            "Հայաստանը և Ադրբեջանը փոխհրաձգություն են ունեցել։ Նրանք կապ են պահպանում երկու երկրների "
            "իշխանությունների հետ և պատրաստ են օգնել։",
            "hy",
        ),
    ],
)
def test_an_actor_inside_a_prepositional_phrase_is_no_subject_of_a_later_cue(
    text: str, language: str
) -> None:
    spec = [
        ("ARM", "country", ["Armenia", "Армения", "Հայաստանը"]),
        ("AZE", "country", ["Azerbaijan", "Азербайджан", "Ադրբեջանը"]),
    ]
    second = text[text.index(".") + 1 :] if language != "hy" else text[text.index("։") + 1 :]
    assert [e for e in _events(text, language, spec) if e.sentence.strip() == second.strip()] == []


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Armenia and Azerbaijan exchanged fire. The authorities of the two countries are ready to talk.", "en"),
        ("Armenia and Azerbaijan exchanged fire. The government of Armenia is ready to talk.", "en"),
        ("Армения и Азербайджан обменялись огнем. Власти двух стран готовы к переговорам.", "ru"),
        ("Հայաստանը և Ադրբեջանը փոխհրաձգություն են ունեցել։ Երկու երկրների իշխանությունները պատրաստ են "
         "բանակցել։", "hy"),
    ],
)  # fmt: skip
def test_an_actor_modifying_the_subject_is_still_its_source(text: str, language: str) -> None:
    spec = [
        ("ARM", "country", ["Armenia", "Армения", "Հայաստանը"]),
        ("AZE", "country", ["Azerbaijan", "Азербайджан", "Ադրբեջանը"]),
    ]
    agree = [e for e in _events(text, language, spec) if e.type == "AGREE"]
    assert agree and {e.source for e in agree} <= {"ARM", "AZE"} and "ARM" in {e.source for e in agree}
