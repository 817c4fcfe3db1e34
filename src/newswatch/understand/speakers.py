"""Speakers: which actor a quotation's cue, a pronoun or a role noun stands for.

:class:`Speakers` indexes one article's *tokens*: the mentions of actors that can speak (people,
organisations, countries; not places) and the pronouns and role nouns of ``data/quotes/<lang>.toml``
("he", "the minister", "the ministry", "она", "նախարարը"), leaving out those inside long quotations. The
speaker of a cue is the subject before it in its clause, else the actor after it; a named person in the
same noun phrase wins over an organisation or a country, and a pronoun or role noun names the actor in
apposition to it or else the last fitting named actor before it. A gendered pronoun ("she", "он") or cue
form ("сказала") skips people of the other gender (``gazetteer.actor_gender``; unknown fits). "The ministry"
is the last body named before it ("the Armenian Foreign Ministry"), else the last country named before it —
never one named later. A capital the actors stage read as a place ("В Баку", "Բաքվում") speaks for its
country before an impersonal plural cue ("заявили", "հայտարարել են"). ``newswatch.understand.quotes`` finds
the quotations and their cues and asks this module who spoke.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from newswatch.model import Actor
from newswatch.understand.gazetteer import actor_gender, known_actors
from newswatch.understand.quote_lexicon import Gender, QuoteLexicon, Referent

__all__ = ["CLAUSE_MARK", "WORD", "Speakers", "Token", "count_words"]


#: Actor types that can speak (places cannot).
_SPEAKERS = frozenset({"person", "organization", "country"})
#: How many fitting mentions back a role noun looks for one whose role (or name) matches it.
_LOOKBACK = 8
#: Most words between two tokens of one noun phrase ("UN Special Representative Miroslav Jenca").
_PHRASE_WORDS = 4
#: Most words between a capital and an impersonal cue ("В Баку вчера заявили").
_CAPITAL_WORDS = 2

WORD = re.compile(r"[^\W_]+(?:[-’'][^\W_]+)*")
CLAUSE_MARK = re.compile(r"[,.;:!?։՝]")


@dataclass(frozen=True, slots=True)
class Token:
    """A mention of a speaking actor, or a pronoun / role noun."""

    start: int
    end: int
    actor: Actor | None = None
    referent: Referent | None = None


def count_words(text: str, start: int, end: int) -> int:
    """How many words stand in ``text[start:end]``."""
    return len(WORD.findall(text, start, end))


class Speakers:
    """The speaking actors' mentions, pronouns and role nouns of one article, and who speaks a cue."""

    def __init__(
        self, text: str, lex: QuoteLexicon, actors: Sequence[Actor], quoted: Callable[[int], bool]
    ) -> None:
        """``quoted(position)``: whether ``position`` is inside a long quotation (no tokens there)."""
        self.text = text
        self.lex = lex
        self.tokens = self._tokens(actors, quoted)
        self.token_starts = [t.start for t in self.tokens]
        self.mentions = [(t, t.actor) for t in self.tokens if t.actor is not None]
        self.mention_starts = [t.start for t, _ in self.mentions]
        self.capitals = self._capitals(actors, quoted)

    def _capitals(self, actors: Sequence[Actor], quoted: Callable[[int], bool]) -> list[tuple[int, int, str]]:
        """Mentions of places that stand for a country's government (the gazetteer's ``metonym``)."""
        registry = known_actors()
        found: list[tuple[int, int, str]] = []
        for actor in actors:
            known = registry.get(actor.id) if actor.type == "place" else None
            government = known.metonym if known is not None else None
            if government is None or government not in registry:
                continue
            if registry[government].info.type != "country":
                continue
            found.extend((m.start, m.end, government) for m in actor.mentions if not quoted(m.start))
        return sorted(found)

    def _tokens(self, actors: Sequence[Actor], quoted: Callable[[int], bool]) -> list[Token]:
        size = len(self.text)
        tokens = [
            Token(mention.start, mention.end, actor=actor)
            for actor in actors
            if actor.type in _SPEAKERS
            for mention in actor.mentions
            if 0 <= mention.start < mention.end <= size and not quoted(mention.start)
        ]
        tokens.sort(key=lambda t: t.start)
        taken = [t.start for t in tokens]
        if self.lex.referents is not None:
            for match in self.lex.referents.finditer(self.text):
                i = bisect_left(taken, match.end())
                if (i and tokens[i - 1].end > match.start()) or quoted(match.start()):
                    continue  # part of a named mention, or inside a quotation
                kind = self.lex.referent_kinds[int((match.lastgroup or "r0")[1:])]
                tokens.insert(i, Token(match.start(), match.end(), referent=kind))
                taken.insert(i, match.start())
        return tokens

    def tokens_in(self, start: int, end: int) -> list[Token]:
        i = bisect_left(self.token_starts, start)
        j = bisect_left(self.token_starts, end)
        return [t for t in self.tokens[i:j] if t.end <= end]

    def resolve(self, token: Token, gender: Gender | None = None) -> str | None:
        """The last named actor before ``token`` that fits its pronoun or role noun.

        Among the last few fitting mentions, a person whose role contains the role noun's hint comes first;
        a person of the other gender than the pronoun's or ``gender`` (the cue's) does not fit. A body
        ("the ministry") is resolved by :meth:`_body`.
        """
        kind = token.referent
        assert kind is not None
        last = bisect_left(self.mention_starts, token.start)
        if kind.fit == "body":
            return self._body(token, last)
        gender = kind.gender or gender
        hint = kind.role.lower() if kind.role else None
        first: Actor | None = None
        seen = 0
        for i in range(last - 1, -1, -1):
            mention, actor = self.mentions[i]
            if mention.end > token.start or not self._fits(actor, kind, gender):
                continue
            if hint and hint in (actor.role or "").lower():
                return actor.id
            first = first or actor
            seen += 1
            if seen >= (_LOOKBACK if hint else 1):
                break
        return first.id if first is not None else None

    def _body(self, token: Token, last: int) -> str | None:
        """ "The ministry", "МИД", "its": the last mention before it that names a body itself ("the Armenian
        Foreign Ministry", "Минобороны Азербайджана", among the last few), else the last country, else the
        last organisation named before it. The country actor's ``role`` is not read: it holds the sector of
        its first body mention in the whole article, which may come later."""
        nouns = self.lex.body_nouns
        country: Actor | None = None
        organisation: Actor | None = None
        seen = 0
        for i in range(last - 1, -1, -1):
            mention, actor = self.mentions[i]
            if mention.end > token.start or actor.type not in ("organization", "country"):
                continue
            if seen < _LOOKBACK and nouns is not None and nouns.search(self.text, mention.start, mention.end):
                return actor.id
            seen += 1
            if actor.type == "country":
                country = country or actor
            else:
                organisation = organisation or actor
            if country is not None and seen >= _LOOKBACK:
                break
        chosen = country or organisation
        return chosen.id if chosen is not None else None

    def _fits(self, actor: Actor, kind: Referent, gender: Gender | None = None) -> bool:
        if kind.fit == "person":
            if actor.type != "person":
                return False
            wanted = kind.gender or gender
            return wanted is None or actor_gender(actor.id) in (None, wanted)
        return actor.type in ("organization", "country")

    def _phrase_of(self, ordered: list[Token]) -> Iterable[Token]:
        """The tokens of the noun phrase that starts with ``ordered[0]`` (nearest-first order)."""
        previous = ordered[0]
        yield previous
        for token in ordered[1:]:
            low, high = min(previous.end, token.end), max(previous.start, token.start)
            if CLAUSE_MARK.search(self.text, low, high) or count_words(self.text, low, high) > _PHRASE_WORDS:
                return
            yield token
            previous = token

    def _pick(self, ordered: list[Token], gender: Gender | None = None) -> str | None:
        """The speaker among tokens ordered nearest-first from the cue.

        A named person in the same phrase wins over an organisation or a country ("UN Special Representative
        Miroslav Jenca"); a role noun or pronoun names the actor in apposition to it ("официальный
        представитель МИД Армении Ани Бадалян") or else the last fitting actor before it.
        """
        first = ordered[0]
        phrase = list(self._phrase_of(ordered))
        if first.referent is not None:
            kind = first.referent
            apposed = [
                t.actor for t in phrase[1:] if t.actor is not None and self._fits(t.actor, kind, gender)
            ]
            return apposed[0].id if apposed else self.resolve(first, gender)
        persons = [t.actor for t in phrase if t.actor is not None and t.actor.type == "person"]
        chosen = persons[0] if persons else first.actor
        return chosen.id if chosen is not None else None

    def speaker(self, start: int, end: int, cue: tuple[int, int]) -> str | None:
        """The speaker of a cue from the tokens of [start, end): the subject before it, else after it; a
        capital right before an impersonal plural cue with no subject after it is its government."""
        usable = [t for t in self.tokens_in(start, end) if t.referent is None or not t.referent.oblique]
        gender = self.lex.cue_gender(self.text[cue[0] : cue[1]])
        before = [t for t in usable if t.end <= cue[0]]
        impersonal = self.lex.impersonal
        if impersonal is not None and impersonal.fullmatch(self.text, cue[0], cue[1]):
            government = self._government(before[-1].end if before else start, cue)
            if government is not None:
                return government
        if before:
            marks = list(CLAUSE_MARK.finditer(self.text, before[-1].end, cue[0]))
            if not marks or count_words(self.text, marks[-1].end(), cue[0]) <= 1:
                return self._pick(before[::-1], gender)
            before = []  # "Mirzoyan met Bayramov, where the sides said …": another subject speaks
        after = [t for t in usable if t.start >= cue[1]]
        return self._pick(after, gender) if after else None

    def _government(self, floor: int, cue: tuple[int, int]) -> str | None:
        """The country of a capital in [floor, cue) a few words before the cue: "В Баку заявили"."""
        for start, end, government in reversed(self.capitals):
            if end > cue[0]:
                continue
            if start < floor or CLAUSE_MARK.search(self.text, end, cue[0]):
                return None
            return government if count_words(self.text, end, cue[0]) <= _CAPITAL_WORDS else None
        return None

    def cue_speaker(
        self, start: int, end: int, cue: tuple[int, int], earlier: tuple[int, int] | None
    ) -> str | None:
        """The speaker of a cue; a participle ("adding", "отметив", "նշելով") takes the speaker of the cue
        before it in the clause (``earlier``, the last cue in [start, cue)), or else the subject of the
        clause (its first pronoun, person or actor)."""
        lex = self.lex
        if lex.participles is None or not lex.participles.fullmatch(self.text, cue[0], cue[1]):
            return self.speaker(start, end, cue)
        if earlier is not None:
            return self.speaker(start, cue[0], earlier)
        usable = [t for t in self.tokens_in(start, cue[0]) if t.referent is None or not t.referent.oblique]
        if not usable:
            return None
        persons = [t for t in usable if t.actor is not None and t.actor.type == "person"]
        return self._pick([persons[0]] if persons and usable[0].referent is None else usable)
