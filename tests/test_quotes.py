"""Quotations: direct and reported speech in English, Russian and Armenian, with their speakers.

The actors stage is not an input here: every test builds its Actor records by hand with :func:`build_actors`,
which finds the offsets of given surface strings in the text. The fixtures under
``tests/fixtures/understand/quotes/`` are own-written texts beside hand-written expectations.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import shared_dir
from newswatch.errors import ConfigError
from newswatch.model import Actor, Mention, Quote, RawInput
from newswatch.pipeline import process
from newswatch.understand.actors import find_actors
from newswatch.understand.quote_lexicon import compile_lexicon, languages, lexicon
from newswatch.understand.quotes import find_quotes
from newswatch.understand.sentences import split_sentences

FIXTURES = Path(__file__).parent / "fixtures" / "understand" / "quotes"


def build_actors(text: str, specs: list[dict[str, Any]]) -> tuple[Actor, ...]:
    """Actors whose mentions are every whole-word occurrence of their surfaces (longest surfaces first)."""
    found: dict[str, list[Mention]] = {spec["id"]: [] for spec in specs}
    taken: list[tuple[int, int]] = []
    surfaces = sorted(((s, spec["id"]) for spec in specs for s in spec["surfaces"]), key=lambda p: -len(p[0]))
    for surface, actor_id in surfaces:
        for match in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            taken.append(match.span())
            found[actor_id].append(Mention(match.start(), match.end(), surface))
    for spec in specs:
        assert found[spec["id"]], f"surface of {spec['id']} not in the text"
    return tuple(
        Actor(
            spec["id"],
            spec["name"],
            spec["type"],
            spec.get("country"),
            spec.get("role"),
            tuple(sorted(found[spec["id"]], key=lambda m: m.start)),
        )
        for spec in specs
    )


def run(text: str, language: str | None, specs: list[dict[str, Any]]) -> tuple[Quote, ...]:
    result = find_quotes(text, language, split_sentences(text, language), build_actors(text, specs))
    for quote in result:
        assert text[quote.start : quote.end] == quote.text
    assert [q.start for q in result] == sorted(q.start for q in result)
    return result


def person(id: str, *surfaces: str, role: str | None = None) -> dict[str, Any]:
    return {"id": id, "name": id, "type": "person", "role": role, "surfaces": list(surfaces)}


def body(id: str, kind: str, *surfaces: str, role: str | None = None) -> dict[str, Any]:
    return {"id": id, "name": id, "type": kind, "role": role, "surfaces": list(surfaces)}


def brief(result: tuple[Quote, ...]) -> list[tuple[str | None, str, bool, str | None]]:
    return [(q.speaker, q.text, q.direct, q.cue) for q in result]


# ------------------------------------------------------------------------------------------ fixtures


@pytest.mark.parametrize(
    "expected_path",
    [
        pytest.param(p, id=p.name.removesuffix(".expected.json"))
        for p in sorted(FIXTURES.glob("*.expected.json"))
    ],
)
def test_fixture(expected_path: Path) -> None:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    text = (FIXTURES / expected["input"]).read_text(encoding="utf-8")
    result = run(text, expected["language"], expected["actors"])
    want = [(q["speaker"], q["text"], q["direct"], q["cue"]) for q in expected["quotes"]]
    assert brief(result) == want


def test_fixtures_cover_every_language_and_form() -> None:
    names = {p.name.removesuffix(".expected.json") for p in FIXTURES.glob("*.expected.json")}
    assert names >= {f"{lang}-{form}" for lang in ("en", "ru", "hy") for form in ("direct", "reported")}


# ------------------------------------------------------------------------------------------ the seed


@pytest.mark.shared
def test_seed_quotes_are_attributed_to_jenca() -> None:
    seed = shared_dir() / "examples" / "seed-un-ceasefire-en.txt"
    [article] = process(RawInput(data=seed.read_bytes(), name=str(seed)))
    text = article.text
    specs = [
        person("miroslav-jenca", "Miroslav Jenca", "Jenca", role="Special Representative"),
        body("un", "organization", "UN"),
        body("ARM", "country", "Armenia"),
        body("AZE", "country", "Azerbaijan"),
    ]
    specs[0]["country"] = "un"
    actors = build_actors(text, specs)
    assert [m.text for m in actors[0].mentions] == ["Miroslav Jenca", "Jenca", "Jenca"]
    result = find_quotes(text, "en", split_sentences(text, "en"), actors)
    by_start = {q.text.split()[0] + " " + q.text.split()[1]: q for q in result}
    for opening in (
        "the two",  # He said the two countries have sent letters …
        "the UN",  # He said the UN will send a mission …
        "the escalation",  # According to Jenca the escalation also underscores …
        "the parties",  # Jenca said that the parties should remain …
    ):
        quote = by_start[opening]
        assert quote.speaker == "miroslav-jenca" and quote.direct is False, opening
    assert by_start["the escalation"].cue == "According to"
    assert by_start["the two"].text.endswith("has been violated")
    assert by_start["the UN"].text.endswith("with subsequent reports to member states")
    # The bonus: "… Miroslav Jenca said this." reports the sentence before it.
    assert by_start["The UN"].speaker == "miroslav-jenca"
    assert by_start["The UN"].text.startswith("The UN welcomes the ceasefire agreements")
    assert all(q.speaker == "miroslav-jenca" for q in result)


# ------------------------------------------------------------------------------------------ forms


def test_scare_quotes_and_names_are_not_quotations() -> None:
    cases = [
        ('Baku calls it the so-called "crossroads of peace" route, and Yerevan uses "unblocking".', "en"),
        ("Власти обсудили проект «Перекрёсток мира» и так называемый «коридор».", "ru"),
        ("Կառավարությունը ներկայացրել է «Խաղաղության խաչմերուկ» նախագիծը։", "hy"),
    ]
    for text, language in cases:
        assert run(text, language, []) == (), text


def test_a_short_quote_with_a_cue_beside_it_is_a_quotation() -> None:
    text = 'Mirzoyan met Bayramov. "Good progress," Mirzoyan said.'
    result = run(text, "en", [person("ararat-mirzoyan", "Mirzoyan"), person("jeyhun-bayramov", "Bayramov")])
    assert brief(result) == [("ararat-mirzoyan", "Good progress", True, "said")]


def test_nested_marks_stay_inside_the_outer_quotation() -> None:
    text = "Лавров сказал: «Мы слышим призыв „вернуться к столу“ и поддерживаем его»."
    result = run(text, "ru", [person("sergey-lavrov", "Лавров")])
    assert brief(result) == [
        ("sergey-lavrov", "Мы слышим призыв „вернуться к столу“ и поддерживаем его", True, "сказал")
    ]
    text = "“They asked us, ‘Is the text final?’ and we said it was close,” the envoy said."
    result = run(text, "en", [])
    assert [q.text for q in result] == ["They asked us, ‘Is the text final?’ and we said it was close"]
    assert result[0].speaker is None and result[0].cue == "said"


def test_apostrophes_do_not_close_single_quotes() -> None:
    text = "‘Armenia’s position hasn’t changed at all,’ Mirzoyan said."
    result = run(text, "en", [person("ararat-mirzoyan", "Mirzoyan")])
    assert brief(result) == [("ararat-mirzoyan", "Armenia’s position hasn’t changed at all", True, "said")]


def test_a_quote_split_by_its_cue() -> None:
    text = '"We have a text," Bayramov said, "and we intend to sign it soon."'
    result = run(text, "en", [person("jeyhun-bayramov", "Bayramov")])
    assert brief(result) == [
        ("jeyhun-bayramov", "We have a text", True, "said"),
        ("jeyhun-bayramov", "and we intend to sign it soon.", True, "said"),
    ]


def test_an_unclosed_mark_does_not_swallow_the_next_paragraph() -> None:
    text = 'Mirzoyan said: "The talks will go on\n\nBayramov said: "We are ready to meet again next month."'
    result = run(text, "en", [person("ararat-mirzoyan", "Mirzoyan"), person("jeyhun-bayramov", "Bayramov")])
    assert brief(result) == [("jeyhun-bayramov", "We are ready to meet again next month.", True, "said")]


def test_a_cue_in_the_next_sentence_names_the_speaker() -> None:
    text = "“The border has been quiet all week.” Bayramov added this after the meeting in Baku."
    result = run(text, "en", [person("jeyhun-bayramov", "Bayramov")])
    assert brief(result) == [("jeyhun-bayramov", "The border has been quiet all week.", True, "added")]


# ------------------------------------------------------------------------------------------ speakers


def test_pronouns_skip_names_inside_quotations() -> None:
    text = (
        "Ararat Mirzoyan arrived in Brussels on Monday. "
        "“We met Sergey Lavrov last week and discussed the next steps,” he said."
    )
    actors = [person("ararat-mirzoyan", "Ararat Mirzoyan"), person("sergey-lavrov", "Sergey Lavrov")]
    result = run(text, "en", actors)
    assert [q.speaker for q in result] == ["ararat-mirzoyan"]


def test_role_nouns_resolve_to_the_fitting_actor() -> None:
    text = (
        "Foreign Minister Jeyhun Bayramov met the EU envoy Toivo Klaar and officials of the Foreign Ministry "
        "of Armenia. The ministry said that the meeting had been useful. "
        "The minister said that the next round would be held in Brussels. "
        "The envoy said that the EU would support the commissions."
    )
    specs = [
        person("jeyhun-bayramov", "Jeyhun Bayramov", role="Foreign Minister"),
        person("toivo-klaar", "Toivo Klaar", role="Special Representative"),
        body("eu", "organization", "EU"),
        body("ARM", "country", "Foreign Ministry of Armenia", role="foreign ministry"),
    ]
    result = run(text, "en", specs)
    assert [q.speaker for q in result] == ["ARM", "jeyhun-bayramov", "toivo-klaar"]
    assert [q.cue for q in result] == ["said", "said", "said"]


def test_a_person_in_the_cue_phrase_wins_over_their_organisation() -> None:
    text = '"The situation is tense," UN Special Representative Miroslav Jenca said.'
    specs = [body("un", "organization", "UN"), person("miroslav-jenca", "Miroslav Jenca")]
    assert [q.speaker for q in run(text, "en", specs)] == ["miroslav-jenca"]


def test_the_subject_speaks_not_the_listener() -> None:
    text = "Lavrov told Mirzoyan that Moscow was ready to host the next round of talks."
    specs = [person("sergey-lavrov", "Lavrov"), person("ararat-mirzoyan", "Mirzoyan")]
    assert brief(run(text, "en", specs)) == [
        ("sergey-lavrov", "Moscow was ready to host the next round of talks", False, "told")
    ]


def test_reported_speech_needs_a_speaker() -> None:
    text = "Sources said the meeting lasted five hours. It is said that the text is ready."
    assert run(text, "en", []) == ()


def test_reported_speech_without_that_is_english_only() -> None:
    text = "Лавров заявил о готовности Москвы принять переговоры в ближайшее время."
    assert run(text, "ru", [person("sergey-lavrov", "Лавров")]) == ()


def test_a_direct_quote_with_no_actor_keeps_its_cue() -> None:
    text = "«Работа комиссий продолжится в апреле», — сообщили в правительстве."
    assert brief(run(text, "ru", [])) == [(None, "Работа комиссий продолжится в апреле", True, "сообщили")]


# ------------------------------------------------------------------------------------------ data


def test_data_is_loaded_once_per_language() -> None:
    assert languages() == ("en", "hy", "ru")
    assert lexicon("en") is lexicon("en")
    assert lexicon("de") is lexicon(None)  # no file: every language together
    assert lexicon(None).cues.search("заявила") and lexicon(None).cues.search("ասել է")
    assert lexicon("en").cues.search("заявила") is None


def test_an_unknown_language_uses_every_file() -> None:
    text = "«Мы готовы к диалогу», — заявила Ани Бадалян."
    result = find_quotes(
        text, None, split_sentences(text), build_actors(text, [person("ani", "Ани Бадалян")])
    )
    assert brief(result) == [("ani", "Мы готовы к диалогу", True, "заявила")]


def test_empty_text_and_no_sentences() -> None:
    assert find_quotes("", "en", (), ()) == ()
    text = '"We will meet again next week in Geneva," Mirzoyan said.'
    actors = build_actors(text, [person("ararat-mirzoyan", "Mirzoyan")])
    assert [q.speaker for q in find_quotes(text, "en", (), actors)] == ["ararat-mirzoyan"]


def test_bad_data_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="must not be empty"):
        compile_lexicon([{"quote_pairs": [["«", "»"]]}])
    with pytest.raises(ConfigError, match="list of strings"):
        compile_lexicon([{"cues": "said", "quote_pairs": [["«", "»"]]}])


def test_a_negated_cue_reports_nothing() -> None:
    cases = [
        ("Bayramov did not say when the treaty would be signed.", "en", "Bayramov"),
        ("Bayramov hasn’t said whether the commissions will meet in May.", "en", "Bayramov"),
        ("Лавров не сообщил, что переговоры будут перенесены на осень.", "ru", "Лавров"),
    ]
    for text, language, name in cases:
        assert run(text, language, [person("x", name)]) == (), text


def test_a_participle_cue_starts_a_new_report() -> None:
    text = '"We are ready," Mirzoyan said on Tuesday, adding that the talks would resume in March.'
    result = run(text, "en", [person("ararat-mirzoyan", "Mirzoyan")])
    assert brief(result) == [
        ("ararat-mirzoyan", "We are ready", True, "said"),
        ("ararat-mirzoyan", "the talks would resume in March", False, "adding"),
    ]


def test_statements_of_a_ministry() -> None:
    text = (
        "Министерство обороны Армении опровергло сообщения об обстреле. "
        "«Обстановка на границе стабильная», — говорится в заявлении ведомства."
    )
    specs = [body("ARM", "country", "Министерство обороны Армении", role="defence ministry")]
    assert brief(run(text, "ru", specs)) == [("ARM", "Обстановка на границе стабильная", True, "говорится")]
    with pytest.raises(ConfigError, match="referent fit"):
        compile_lexicon(
            [{"cues": ["said"], "quote_pairs": [["«", "»"]], "referents": [{"fit": "x", "words": ["he"]}]}]
        )


def test_a_name_in_guillemets_can_speak() -> None:
    text = "Компания «Газпром» заявила, что поставки газа в Армению будут продолжены."
    result = run(text, "ru", [body("gazprom", "organization", "Газпром")])
    assert brief(result) == [("gazprom", "поставки газа в Армению будут продолжены", False, "заявила")]


def test_a_gerund_cue_after_a_scare_quote() -> None:
    text = "Лавров назвал переговоры «полезными», отметив, что Россия готова помогать сторонам и дальше."
    result = run(text, "ru", [person("sergey-lavrov", "Лавров"), body("RUS", "country", "Россия")])
    assert brief(result) == [("sergey-lavrov", "Россия готова помогать сторонам и дальше", False, "отметив")]


def test_an_unnamed_subject_is_not_the_last_named_actor() -> None:
    text = "Mirzoyan met Bayramov in Washington, where the sides said the talks were useful."
    assert run(text, "en", [person("m", "Mirzoyan"), person("b", "Bayramov")]) == ()


def test_a_participle_takes_the_subject_of_its_sentence() -> None:
    text = (
        "The EU envoy, Toivo Klaar, urged Armenia and Azerbaijan on Friday to finish the treaty, "
        'saying the region had "a chance that may not return soon".'
    )
    specs = [
        body("eu", "organization", "EU"),
        person("toivo-klaar", "Toivo Klaar"),
        body("ARM", "country", "Armenia"),
        body("AZE", "country", "Azerbaijan"),
    ]
    assert brief(run(text, "en", specs)) == [
        ("toivo-klaar", "a chance that may not return soon", True, "saying")
    ]


def test_a_trailing_cue_followed_by_adverbials() -> None:
    text = (
        "The UN needs more money to clear mines along the border before the spring, "
        "UN spokesperson Anna Petrosyan told reporters at the daily briefing on Wednesday."
    )
    specs = [body("un", "organization", "UN"), person("anna-petrosyan", "Anna Petrosyan")]
    assert brief(run(text, "en", specs)) == [
        (
            "anna-petrosyan",
            "The UN needs more money to clear mines along the border before the spring",
            False,
            "told",
        )
    ]


def test_the_ministry_prefers_a_mention_that_names_a_ministry() -> None:
    text = (
        "The talks took place on Thursday, the Russian foreign ministry said. "
        "Lavrov assured Armenia of support, the ministry said. "
        '"Moscow favours an early treaty," its statement said.'
    )
    specs = [
        body("RUS", "country", "Russian foreign ministry", role="foreign ministry"),
        person("sergey-lavrov", "Lavrov"),
        body("ARM", "country", "Armenia", role="foreign ministry"),
    ]
    result = run(text, "en", specs)
    assert [(q.speaker, q.direct) for q in result] == [("RUS", False), ("RUS", False), ("RUS", True)]


def test_a_pointing_back_cue_that_opens_a_paragraph_reports_the_one_before() -> None:
    text = (
        "Սահմանազատման հանձնաժողովները կհանդիպեն ապրիլին։ Հանդիպումը տեղի կունենա Թբիլիսիում։\n\n"
        "Այս մասին հայտնել է Անի Բադալյանը։"
    )
    result = run(text, "hy", [person("ani-badalyan", "Անի Բադալյանը")])
    assert brief(result) == [
        (
            "ani-badalyan",
            "Սահմանազատման հանձնաժողովները կհանդիպեն ապրիլին։ Հանդիպումը տեղի կունենա Թբիլիսիում",
            False,
            "հայտնել է",
        )
    ]


# ------------------------------------------------------------------------------------------ review 3


def test_a_pronoun_skips_people_of_the_other_gender() -> None:
    text = (
        "Foreign Ministry spokeswoman Ani Badalyan spoke after Hikmet Hajiyev, the aide to the Azerbaijani "
        'president, had commented on the talks. "We expect a constructive answer," she said. '
        '"We are ready to meet," he added.'
    )
    specs = [
        person("ani-badalyan", "Ani Badalyan", role="Spokesperson"),
        person("hikmet-hajiyev", "Hikmet Hajiyev", role="Presidential Aide"),
    ]
    assert [q.speaker for q in run(text, "en", specs)] == ["ani-badalyan", "hikmet-hajiyev"]


def test_a_pronoun_with_no_person_of_its_gender_names_no_one() -> None:
    text = 'Pashinyan met Aliyev. "It is not acceptable to us," she added, referring to the draft.'
    specs = [person("nikol-pashinyan", "Pashinyan"), person("ilham-aliyev", "Aliyev")]
    assert [q.speaker for q in run(text, "en", specs)] == [None]


def test_a_person_of_unknown_gender_stays_eligible() -> None:
    text = 'Qwerty Xyz met Hikmet Hajiyev. "We are ready," she said.'
    specs = [person("hikmet-hajiyev", "Hikmet Hajiyev"), person("qwerty-xyz", "Qwerty Xyz")]
    assert [q.speaker for q in run(text, "en", specs)] == ["qwerty-xyz"]


def test_russian_pronouns_and_verb_endings_carry_gender() -> None:
    text = (
        "Официальный представитель МИД Армении Ани Бадалян прокомментировала слова помощника президента "
        "Азербайджана Хикмета Гаджиева. «Мы ждем конструктивного ответа», — сказала она.\n\n"
        "Мария Захарова и Дмитрий Песков выступили в Москве. Пресс-секретарь Кремля Песков говорил о "
        "переговорах. «Диалог продолжится», — сказала пресс-секретарь."
    )
    specs = [
        person("ani-badalyan", "Ани Бадалян", role="Spokesperson"),
        person("hikmet-hajiyev", "Хикмета Гаджиева", role="Presidential Aide"),
        person("maria-zakharova", "Мария Захарова", role="Spokesperson"),
        person("dmitry-peskov", "Дмитрий Песков", "Песков", role="Spokesperson"),
    ]
    assert [(q.speaker, q.cue) for q in run(text, "ru", specs)] == [
        ("ani-badalyan", "сказала"),
        ("maria-zakharova", "сказала"),
    ]


def test_the_ministry_is_the_last_ministry_or_country_named_before_it() -> None:
    text = (
        "Armenia and Azerbaijan accused each other of violating the ceasefire. Yerevan's response came "
        "within hours: the ministry said no shots had been fired from Armenian positions. "
        "Azerbaijani troops did not open fire on Thursday, the Azerbaijani Defence Ministry said."
    )
    specs = [
        body("ARM", "country", "Armenia", "Yerevan's", "Armenian"),
        body(
            "AZE",
            "country",
            "Azerbaijan",
            "Azerbaijani",
            "Azerbaijani Defence Ministry",
            role="defence ministry",
        ),
    ]
    assert [q.speaker for q in run(text, "en", specs)] == ["ARM", "AZE"]


@pytest.mark.parametrize(
    ("text", "language", "specs"),
    [
        pytest.param(
            "Азербайджан обвинил Армению в обстреле. Ереван ответил быстро: министерство заявило, что "
            "армянские позиции огонь не открывали. Позже Минобороны Азербайджана заявило, что обстрел "
            "продолжался.",
            "ru",
            [
                body("ARM", "country", "Армению", "Ереван", "армянские"),
                body("AZE", "country", "Азербайджан", "Минобороны Азербайджана", role="defence ministry"),
            ],
            id="ru",
        ),
        pytest.param(
            "Ադրբեջանը մեղադրել է Հայաստանին։ Երևանը արագ պատասխանեց. նախարարությունը հայտարարել է, որ "
            "հայկական դիրքերից կրակ չի բացվել։ Ավելի ուշ Ադրբեջանի պաշտպանության նախարարությունը "
            "հայտարարել է, որ կրակոցները շարունակվել են։",
            "hy",
            [
                body("ARM", "country", "Հայաստանին", "Երևանը", "հայկական"),
                body(
                    "AZE",
                    "country",
                    "Ադրբեջանը",
                    "Ադրբեջանի պաշտպանության նախարարությունը",
                    role="defence ministry",
                ),
            ],
            id="hy",
        ),
    ],
)
def test_the_ministry_never_points_forward(text: str, language: str, specs: list[dict[str, Any]]) -> None:
    assert [q.speaker for q in run(text, language, specs)] == ["ARM", "AZE"]


@pytest.mark.parametrize(
    ("text", "language", "specs", "expected"),
    [
        pytest.param(
            "В Баку заявили, что армянская сторона нарушила режим прекращения огня.",
            "ru",
            [body("baku", "place", "Баку"), body("ARM", "country", "армянская")],
            ("AZE", "армянская сторона нарушила режим прекращения огня", False, "заявили"),
            id="ru-baku",
        ),
        pytest.param(
            "В Ереване заявили, что азербайджанская сторона нарушила режим прекращения огня.",
            "ru",
            [body("yerevan", "place", "Ереване"), body("AZE", "country", "азербайджанская")],
            ("ARM", "азербайджанская сторона нарушила режим прекращения огня", False, "заявили"),
            id="ru-yerevan",
        ),
        pytest.param(
            "Բաքվում հայտարարել են, որ հայկական կողմը խախտել է հրադադարը։",
            "hy",
            [body("baku", "place", "Բաքվում"), body("ARM", "country", "հայկական")],
            ("AZE", "հայկական կողմը խախտել է հրադադարը", False, "հայտարարել են"),
            id="hy-baku",
        ),
    ],
)
def test_a_capital_with_an_impersonal_plural_cue_is_its_government(
    text: str, language: str, specs: list[dict[str, Any]], expected: tuple[str, str, bool, str]
) -> None:
    assert brief(run(text, language, specs)) == [expected]


def test_a_town_or_a_singular_cue_is_not_a_government() -> None:
    text = "В Гюмри заявили, что мост откроют весной. В Баку Алиев заявил, что переговоры продолжатся."
    specs = [body("gyumri", "place", "Гюмри"), body("baku", "place", "Баку"), person("ilham-aliyev", "Алиев")]
    assert [q.speaker for q in run(text, "ru", specs)] == ["ilham-aliyev"]


def test_a_named_person_after_a_sports_role_speaks() -> None:
    text = '"We crushed them in the second half," striker Aram Sahakyan told reporters.'
    sentences = split_sentences(text, "en")
    result = find_quotes(text, "en", sentences, find_actors(text, "en", sentences))
    assert brief(result) == [("aram-sahakyan", "We crushed them in the second half", True, "told")]
