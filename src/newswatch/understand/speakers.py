"""Speakers: which actor a quotation's cue, a pronoun or a role noun stands for.

:class:`Speakers` indexes one article's *tokens*: the mentions of actors that can speak (people,
organisations, countries; not places) and the pronouns and role nouns of ``data/quotes/<lang>.toml``
("he", "the minister", "the ministry", "она", "նախարարը"), leaving out those inside long quotations. The
speaker of a cue is the subject before it in its clause, else the actor after it; a named person in the
same noun phrase wins over an organisation or a country, and a pronoun or role noun names the actor in
apposition to it or else the last fitting named actor before it. ``newswatch.understand.quotes`` finds the
quotations and their cues and asks this module who spoke.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from newswatch.model import Actor
from newswatch.understand.quote_lexicon import QuoteLexicon, Referent

__all__ = ["CLAUSE_MARK", "WORD", "Speakers", "Token", "count_words"]


#: Actor types that can speak (places cannot).
_SPEAKERS = frozenset({"person", "organization", "country"})
#: How many fitting mentions back a role noun looks for one whose role (or name) matches it.
_LOOKBACK = 8
#: Most words between two tokens of one noun phrase ("UN Special Representative Miroslav Jenca").
_PHRASE_WORDS = 4

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

    def resolve(self, token: Token) -> str | None:
        """The last named actor before ``token`` that fits its pronoun or role noun.

        Among the last few fitting mentions, a person whose role contains the role noun's hint, or for "the
        ministry" a mention that itself names a body ("Russian foreign ministry"), comes first; "the
        ministry" falls back to any country.
        """
        kind = token.referent
        assert kind is not None
        last = bisect_left(self.mention_starts, token.start)
        hint = kind.role.lower() if kind.role else None
        nouns = self.lex.body_nouns if kind.fit == "body" else None
        first: Actor | None = None
        seen = 0
        for i in range(last - 1, -1, -1):
            mention, actor = self.mentions[i]
            if mention.end > token.start or not self._fits(actor, kind):
                continue
            if (hint and hint in (actor.role or "").lower()) or (
                nouns is not None and nouns.search(self.text, mention.start, mention.end)
            ):
                return actor.id
            first = first or actor
            seen += 1
            if seen >= (_LOOKBACK if hint or nouns else 1):
                break
        if first is None and kind.fit == "body":
            countries = (
                a for m, a in reversed(self.mentions[:last]) if a.type == "country" and m.end <= token.start
            )
            first = next(countries, None)
        return first.id if first is not None else None

    def _fits(self, actor: Actor, kind: Referent) -> bool:
        if kind.fit == "person":
            return actor.type == "person"
        if kind.fit == "body":
            return actor.type == "organization" or (actor.type == "country" and bool(actor.role))
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

    def _pick(self, ordered: list[Token]) -> str | None:
        """The speaker among tokens ordered nearest-first from the cue.

        A named person in the same phrase wins over an organisation or a country ("UN Special Representative
        Miroslav Jenca"); a role noun or pronoun names the actor in apposition to it ("официальный
        представитель МИД Армении Ани Бадалян") or else the last fitting actor before it.
        """
        first = ordered[0]
        phrase = list(self._phrase_of(ordered))
        if first.referent is not None:
            kind = first.referent
            apposed = [t.actor for t in phrase[1:] if t.actor is not None and self._fits(t.actor, kind)]
            return apposed[0].id if apposed else self.resolve(first)
        persons = [t.actor for t in phrase if t.actor is not None and t.actor.type == "person"]
        chosen = persons[0] if persons else first.actor
        return chosen.id if chosen is not None else None

    def speaker(self, start: int, end: int, cue: tuple[int, int]) -> str | None:
        """The speaker of a cue from the tokens of [start, end): the subject before it, else after it."""
        usable = [t for t in self.tokens_in(start, end) if t.referent is None or not t.referent.oblique]
        before = [t for t in usable if t.end <= cue[0]]
        if before:
            marks = list(CLAUSE_MARK.finditer(self.text, before[-1].end, cue[0]))
            if not marks or count_words(self.text, marks[-1].end(), cue[0]) <= 1:
                return self._pick(before[::-1])
            before = []  # "Mirzoyan met Bayramov, where the sides said …": another subject speaks
        after = [t for t in usable if t.start >= cue[1]]
        return self._pick(after) if after else None

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
