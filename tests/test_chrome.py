"""Page chrome in en/hy/ru: what is chrome, what is not, "available in" notes, bylines, and the data."""

from __future__ import annotations

from importlib import resources

import pytest

from newswatch.extract.chrome import (
    available_in,
    byline,
    is_chrome,
    language_code,
    read_more_heading,
    read_more_inline,
)

CHROME = [
    # navigation
    "Show news feed",
    "Лента новостей",
    "Ցույց տալ լրահոսը",
    "Home",
    "Главная",
    "Գլխավոր",
    "Menu",
    "  • Menu  ",
    "HOME",
    # share, subscribe, print
    "Share",
    "Tweet",
    "Print",
    "Subscribe to our newsletter",
    "Share on Telegram and WhatsApp",
    "Поделиться",
    "Подписаться",
    "Подписывайтесь на наш канал в Telegram",
    "Տպել",
    "Կիսվել",
    "Բաժանորդագրվել",
    "Հետեւեք մեզ Telegram-ում",
    # copyright
    "© 2026 Example",
    "Copyright 2026 Example Monitor",
    "All rights reserved",
    "Example News. All rights reserved.",
    "Все права защищены",
    "© 2026 Пример. Все права защищены.",
    "Բոլոր իրավունքները պաշտպանված են",
    "Բոլոր իրավունքները պաշտպանված են։",
    "Copyright © Example Monitor",
    "Copyright (c) 2026 Example Monitor",
    "Copyright Example Monitor 2026",
    "(c) 2026 Example",
    "(C) 2026 Пример",
    # source credits
    "Source: Reuters",
    "Source: Reuters.",
    "Sources: AP, Reuters",
    "Source: Ministry of Foreign Affairs of Armenia",
    "Source: armenpress.am",
    "Источник: ТАСС",
    "Աղբյուրը՝ Արմենպրես",
    # wire credits
    "Reporting by Jane Doe; editing by John Roe",
    "(Reporting by Jane Doe in Yerevan Editing by John Roe)",
    "Writing by Ann Lee",
    "Additional reporting by Ann Lee in Baku",
    "Редактор: Мария Смирнова",
    "(Репортаж: Иван Петров; редактирование: Анна Орлова)",
    "Խմբագիր՝ Արմեն Հակոբյան",
    # photo credits
    "Photo: Example Wire",
    "Photo by Jane Doe",
    "Фото: пресс-служба МИД",
    "Фото — РИА",
    "Լուսանկարը՝ Արմենպրես",
    # read more headings, available-in notes, language switchers, counters
    "Read more:",
    "Читайте также:",
    "Կարդալ ավելին",
    "This text available in   Հայերեն and Русский",
    "Հայերեն | English | Русский",
    "EN RU HY",
    "Tags: border, Armenia",
    "Views: 1204",
    "2026",
    "3 / 12",
    "* * *",
    # a row of buttons, with or without bars between them
    "Share | Print | Subscribe",
    "Share Print",
    "Share on Facebook | Print",
    "Home • News • Contact us",
    "Կիսվել Տպել",
    "Կիսվել Տպել Բաժանորդագրվել",
    "Поделиться Печать",
    "Поделиться | Версия для печати",
]

NOT_CHROME = [
    "",
    "The UN welcomes the ceasefire agreements between Armenia and Azerbaijan.",
    "News of the agreement spread quickly in Yerevan.",
    "Share prices rose in Baku after the talks.",
    "Print media in Armenia covered the meeting widely.",
    "Photographers gathered outside the ministry.",
    "Главная задача комиссии — согласовать границу.",
    "Поделиться своими выводами эксперты пока не готовы, сообщили в министерстве.",
    "Գլխավոր քարտուղարը ողջունեց համաձայնությունը։",
    "Reporting from the border has been limited, the ministry said.",
    "Available in stores and online",
    "Russia",
    "He",
    "It",
    "Homeland security officials met on Monday.",
    "Armenia and Azerbaijan agree to resume border commission talks",
    "By Jane Doe",  # a byline is not chrome: it is the author
    # a row of buttons is made of labels only
    "Share | Armenia and Azerbaijan agree to resume talks",
    "Print media | Share",
    "Home news from Yerevan",
    "Կիսվել կարծիքով Տպել",
    "Печать документов",
    # a sentence that starts like a copyright notice or a source credit is news
    "Copyright disputes stall the talks",
    "Copyright disputes from 2024 stall the talks on the treaty.",
    "(c) the parties open the roads across the border.",
    "Sources: the talks…",
    "Sources: the talks will resume in Vienna next month, two diplomats said.",
    "Source: the ministry says the talks stalled over the map.",
    "Источник: переговоры возобновятся в мае, сообщили дипломаты.",
    "Աղբյուրը՝ բանակցությունները կշարունակվեն մայիսին, հայտնել են դիվանագետները։",
]


@pytest.mark.parametrize("line", CHROME)
def test_chrome(line: str) -> None:
    assert is_chrome(line)


@pytest.mark.parametrize("line", NOT_CHROME)
def test_not_chrome(line: str) -> None:
    assert not is_chrome(line)


@pytest.mark.parametrize(
    "line",
    [
        "Read more:",
        "Read more",
        "READ MORE:",
        "See also",
        "Related",
        "Also read",
        "Читайте также:",
        "Читайте также",
        "Смотрите также",
        "Կարդալ ավելին",
        "Նաև կարդացեք",
        "Նաեւ կարդացեք",  # the classical spelling of "և"
        "Կարդացեք նաև՝",
    ],
)
def test_read_more_heading(line: str) -> None:
    assert read_more_heading(line)


@pytest.mark.parametrize("line", ["Read more about the talks in our explainer.", "Related talks", "Share"])
def test_not_read_more_heading(line: str) -> None:
    assert not read_more_heading(line)


def test_read_more_inline() -> None:
    assert read_more_inline("Read more: Ministers discuss draft peace treaty") == (
        "Ministers discuss draft peace treaty"
    )
    assert read_more_inline("Читайте также: Комиссия соберется в марте") == "Комиссия соберется в марте"
    assert read_more_inline("Կարդալ ավելին՝ Հանձնաժողովը հավաքվեց") == "Հանձնաժողովը հավաքվեց"
    assert read_more_inline("Read more:") is None
    assert read_more_inline("Read more about the talks.") is None


@pytest.mark.parametrize(
    ("line", "codes"),
    [
        ("This text available in   Հայերեն and Русский", ["hy", "ru"]),
        ("This text available in \u00a0Հայերեն and Русский", ["hy", "ru"]),
        ("Этот текст доступен на Հայերեն и English", ["hy", "en"]),
        ("Այս տեքստը հասանելի է English և Русский", ["en", "ru"]),
        ("Also available in: English | Русский", ["en", "ru"]),
        ("This article is also available in Armenian, Russian and French", ["hy", "ru", "fr"]),
        ("Этот текст доступен на армянском и английском языках", ["hy", "en"]),
        ("Այս տեքստը հասանելի է նաեւ անգլերեն եւ ռուսերեն լեզուներով", ["en", "ru"]),
        ("Read in: EN / RU", ["en", "ru"]),
        ("Also available in English and english", ["en"]),
        ("Other languages:", []),
    ],
)
def test_available_in(line: str, codes: list[str]) -> None:
    assert available_in(line) == codes


@pytest.mark.parametrize(
    "line",
    [
        "Available in stores and online",
        "Read in full: the statement of the ministry",
        "The statement is available in Armenian and Russian.",  # a sentence, not the note
        "Կարդալ ավելին",
        "Show news feed",
    ],
)
def test_not_available_in(line: str) -> None:
    assert available_in(line) is None


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Հայերեն", "hy"),
        ("Armenian", "hy"),
        ("армянский", "hy"),
        ("Русский", "ru"),
        ("ռուսերեն", "ru"),
        ("English", "en"),
        ("английском", "en"),
        ("Deutsch", "de"),
        ("ქართული", "ka"),
        ("azərbaycan", "az"),
        ("中文", "zh"),
        ("RU", "ru"),
        ("hy", "hy"),
        ("He", None),
        ("Russia", None),
        ("", None),
    ],
)
def test_language_code(name: str, code: str | None) -> None:
    assert language_code(name) == code


@pytest.mark.parametrize(
    ("line", "author"),
    [
        ("By Jane Doe", "Jane Doe"),
        ("BY Jane Doe", "Jane Doe"),
        ("By Jane Doe and John Roe", "Jane Doe, John Roe"),
        ("Авторы: Анна Петрова и Иван Смирнов", "Анна Петрова, Иван Смирнов"),
        ("Հեղինակներ՝ Անի Սարգսյան և Արամ Պետրոսյան", "Անի Սարգսյան, Արամ Պետրոսյան"),
        ("By Jane Doe, Example Wire", "Jane Doe"),
        ("Author: Jane Q. Doe", "Jane Q. Doe"),
        ("Автор: Иван Петров", "Иван Петров"),
        ("Текст: Анна Орлова", "Анна Орлова"),
        ("Հեղինակ՝ Անի Սարգսյան", "Անի Սարգսյան"),
        ("By contrast, the talks stalled.", None),
        ("By Tuesday the ministers had left", None),
        ("Byzantine Studies", None),
        ("Текст доступен на английском", None),
        ("By 2026 the border should be marked", None),
        ("The commission met.", None),
        # a wire credit names the reporter; the name ends at a semicolon or a place
        ("Reporting by Lilit Hakobyan; editing by Daniel Marsh", "Lilit Hakobyan"),
        ("Reported by Jane Doe in Yerevan", "Jane Doe"),
        ("Writing by Ann Lee; Editing by John Roe", "Ann Lee"),
        ("Additional reporting by Ann Lee in Baku", None),  # a contributor, not the author
        ("Editing by John Roe", None),
        ("Текст: Анна Орлова из Еревана", "Анна Орлова"),
        ("By Monday at noon", None),  # one word before "at" is no name
        ("Reporting by the ministry's press office", None),
    ],
)
def test_byline(line: str, author: str | None) -> None:
    assert byline(line) == author


def _data_lines(language: str, section: str) -> list[str]:
    text = resources.files("newswatch").joinpath(f"data/chrome/{language}.txt").read_text(encoding="utf-8")
    current, lines = None, []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
        elif current == section and not line.startswith("^"):
            lines.append(line)
    return lines


@pytest.mark.parametrize("language", ["en", "hy", "ru"])
def test_every_listed_label_is_recognised(language: str) -> None:
    chrome = _data_lines(language, "chrome")
    headings = _data_lines(language, "read-more")
    assert len(chrome) >= 20 and len(headings) >= 5
    assert [line for line in chrome + headings if not is_chrome(line)] == []
    assert [line for line in headings if not read_more_heading(line)] == []
    # with the decoration a page gives them
    assert all(is_chrome(f"• {line}:") for line in chrome)


@pytest.mark.parametrize("language", ["en", "hy", "ru"])
def test_every_available_in_prefix_reads_a_list(language: str) -> None:
    prefixes = _data_lines(language, "available-in")
    assert prefixes
    for prefix in prefixes:
        assert available_in(f"{prefix} English and Русский") == ["en", "ru"], prefix


def test_language_names_cover_the_common_languages() -> None:
    text = resources.files("newswatch").joinpath("data/languages/names.tsv").read_text(encoding="utf-8")
    codes = {line.split("\t")[0] for line in text.splitlines() if line and not line.startswith("#")}
    assert len(codes) >= 40
    assert {"en", "hy", "ru", "az", "ka", "fr", "de", "tr", "fa", "uk"} <= codes
