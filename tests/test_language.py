import pytest

from newswatch.extract.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ՄԱԿ-ը ողջունում է հրադադարը", "hy"),
        ("Երևանը պատասխանեց Բաքվի մեղադրանքներին", "hy"),
        ("ООН приветствует перемирие", "ru"),
        ("Москва призвала стороны к сдержанности", "ru"),
        ("The UN welcomes the ceasefire", "en"),
        ("Baku rejected the accusations on Tuesday", "en"),
        ("Die Vereinten Nationen begrüßen die Waffenruhe", "de"),
        ("Les Nations unies saluent le cessez-le-feu", "fr"),
        ("ერევანმა უპასუხა ბრალდებებს", "ka"),
        ("BM ateşkesi memnuniyetle karşıladı", "tr"),
    ],
)
def test_short_texts(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_long_text_is_not_truncated_to_its_first_words() -> None:
    # An English opening line, then a long Russian body: the body decides.
    text = (
        "Show news feed\n" + "Министр заявил, что переговоры продолжатся на следующей неделе в Москве. " * 20
    )
    assert detect_language(text) == "ru"


def test_too_short_falls_back_to_declared() -> None:
    assert detect_language("12:05", declared="hy-AM") == "hy"
    assert detect_language("", declared=None) is None
