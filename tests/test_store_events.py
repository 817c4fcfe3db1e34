"""Events as rows: derived from the record by triggers, listed by actor, pair, type and date (both backends)."""

from dataclasses import replace

from conftest import StoreFactory
from newswatch.model import Article, Event, RawInput
from newswatch.store import EventQuery

RAW = RawInput(data=b"x", name="x.txt")


def _event(type_: str, source: str, target: str | None, date: str, start: int = 0) -> Event:
    return Event(type_, "010", source, target, date, None, "A sentence.", start, start + 11, 0.8)


ARTICLE = Article(
    id="a1",
    text="A sentence. Another one.",
    url="https://w.example/1",
    title="T",
    published="2026-03-04",
    events=(
        _event("ACCUSE", "AZE", "ARM", "2026-03-03"),
        _event("REJECT", "ARM", "AZE", "2026-03-04", 12),
        _event("REQUEST", "un", "ARM", "2026-03-04"),
    ),
)


def test_events_are_listed_by_actor_pair_type_and_date(store_factory: StoreFactory) -> None:
    with store_factory() as store:
        store.put(ARTICLE, RAW)
        everything = list(store.events(EventQuery()))
        assert [e.event.type for e in everything] == ["ACCUSE", "REJECT", "REQUEST"]
        assert everything[0].article_id == "a1" and everything[0].article_url == "https://w.example/1"
        assert everything[1].event == ARTICLE.events[1]
        pair = store.events(EventQuery(pair=("ARM", "AZE")))
        assert [e.event.type for e in pair] == ["ACCUSE", "REJECT"]
        assert [e.event.type for e in store.events(EventQuery(actor="un"))] == ["REQUEST"]
        assert [e.event.type for e in store.events(EventQuery(type="reject"))] == ["REJECT"]
        assert [e.event.type for e in store.events(EventQuery(since="2026-03-04"))] == ["REJECT", "REQUEST"]
        assert len(list(store.events(EventQuery(limit=1)))) == 1


def test_events_follow_the_record_on_update(store_factory: StoreFactory) -> None:
    with store_factory() as store:
        store.put(ARTICLE, RAW)
        store.put(replace(ARTICLE, text="Changed.", events=(ARTICLE.events[2],)), RAW)
        assert [e.event.type for e in store.events(EventQuery())] == ["REQUEST"]
        store.put(replace(ARTICLE, text="Changed again.", events=()), RAW)
        assert list(store.events(EventQuery())) == []


def test_people_and_bodies_count_for_their_country_and_negated_events_are_opt_in(
    store_factory: StoreFactory,
) -> None:
    from newswatch.model import Actor

    article = Article(
        id="a2",
        text="Pashinyan met Aliyev. Armenia did not accuse Azerbaijan.",
        published="2026-03-05",
        actors=(
            Actor("nikol-pashinyan", "Nikol Pashinyan", "person", country="ARM", role="Prime Minister"),
            Actor("ilham-aliyev", "Ilham Aliyev", "person", country="AZE", role="President"),
            Actor("ARM", "Armenia", "country"),
            Actor("AZE", "Azerbaijan", "country"),
        ),
        events=(
            _event("CONSULT", "nikol-pashinyan", "ilham-aliyev", "2026-03-05"),
            replace(_event("ACCUSE", "ARM", "AZE", "2026-03-05", 22), negated=True),
        ),
    )
    with store_factory() as store:
        store.put(article, RAW)
        pair = [e.event.type for e in store.events(EventQuery(pair=("AZE", "ARM")))]
        assert pair == ["CONSULT"]
        assert [e.event.type for e in store.events(EventQuery(actor="AZE"))] == ["CONSULT"]
        with_negated = store.events(EventQuery(pair=("ARM", "AZE"), negated=True))
        assert [e.event.type for e in with_negated] == ["CONSULT", "ACCUSE"]
