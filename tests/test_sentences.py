import pytest

from newswatch.understand.sentences import abbreviations, split_sentences


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            'Mr. Mirzoyan met Ms. K. Kallas in Brussels. "We agreed," he said. The U.S. welcomed it.',
            "en",
            ["Mr. Mirzoyan met Ms. K. Kallas in Brussels.", '"We agreed," he said.', "The U.S. welcomed it."],
        ),
        (
            "В 2026 г. стороны встретились в Москве. «Мы договорились», — заявил министр. Т.е. всё по плану! Дальше?",
            "ru",
            [
                "В 2026 г. стороны встретились в Москве.",
                "«Мы договорились», — заявил министр.",
                "Т.е. всё по плану!",
                "Дальше?",
            ],
        ),
        (
            "Երևան, 2026 թ. մարտի 4-ին կողմերը հանդիպեցին։ Նախարարը նշել է, որ «աշխատանքը շարունակվում է»։ Վերջ։",
            "hy",
            [
                "Երևան, 2026 թ. մարտի 4-ին կողմերը հանդիպեցին։",
                "Նախարարը նշել է, որ «աշխատանքը շարունակվում է»։",
                "Վերջ։",
            ],
        ),
        (
            "First paragraph without a stop\n\nSecond one. Third.",
            "en",
            ["First paragraph without a stop", "Second one.", "Third."],
        ),
        ("The figure was 2.5 per cent. It rose.", "en", ["The figure was 2.5 per cent.", "It rose."]),
        ("Ends with an ellipsis… Then a new one.", "xx", ["Ends with an ellipsis…", "Then a new one."]),
    ],
)
def test_split(text: str, language: str, expected: list[str]) -> None:
    sentences = split_sentences(text, language)
    assert [s.text for s in sentences] == expected
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text


def test_abbreviations_are_data() -> None:
    assert "Mr." in abbreviations("en") and "г." in abbreviations("ru") and "թ." in abbreviations("hy")
    assert abbreviations("zz") == frozenset() and abbreviations(None) == frozenset()


def test_empty() -> None:
    assert split_sentences("") == () and split_sentences("  \n\n ") == ()
