"""Reading a sentence for the event finder: its words, its cues and the actor groups in it with their roles.

:class:`ArticleReader` holds what the finder needs about a whole article, computed once (actor mentions in
text order, each actor's normalised forms, the two leading countries that "the parties" stands for, the
speakers of quotes, which paragraphs are sports reports, who a subject pronoun stands for). Its
:meth:`ArticleReader.read` turns one sentence into a :class:`ReadSentence`: normalised words, the
lexicon's phrase hits, clause numbers, and :class:`ActorGroup` records — actor mentions (the longest where
they nest) and collective references, each given a role from the word before it, a postposition or a case
ending (subject, object, modifier, possessive, locative, doer), with mentions joined by "and" or commas
merged into one group. ``newswatch.understand.events`` decides from these which events a sentence reports.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from newswatch.model import Actor, Quote
from newswatch.understand.event_lexicon import Hit, Lexicon, find_phrases, normalize_word
from newswatch.understand.quote_lexicon import lexicon as quote_lexicon
from newswatch.understand.sentences import Sentence
from newswatch.understand.speakers import Speakers

__all__ = ["ActorGroup", "ArticleReader", "ReadSentence"]

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_PARAGRAPH = re.compile(r"\n[^\S\n]*\n")


@dataclass(slots=True)
class ActorGroup:
    """One actor mention, a collective reference, or several of them joined by "and"."""

    ids: tuple[str, ...]
    first: int
    last: int
    role: str  # subj, obj, mod, poss, loc, agent, skip
    prep: str | None
    post: str | None
    types: tuple[str, ...]
    collective: bool = False
    after: bool = False  # the role comes from a postposition or an ending, not from a word before
    oblique: bool = False  # a modifier of a noun a preposition governs: never the subject of a cue


@dataclass(slots=True)
class ReadSentence:
    """A sentence as the finder reads it: words, cues and actor groups."""

    span: Sentence
    starts: list[int]
    ends: list[int]
    words: list[str]
    hits: list[Hit]
    groups: list[ActorGroup]
    clause: list[int]  # clause number of each token
    agent_last: set[int] = field(default_factory=set)


class ArticleReader:
    """What the finder needs about the whole article, computed once."""

    def __init__(self, text: str, lex: Lexicon, actors: Sequence[Actor], quotes: Sequence[Quote]) -> None:
        self.text = text
        self.lex = lex
        self.actors = actors
        self._speakers: Speakers | None = None
        mentions = [
            (m.start, m.end, a) for a in actors for m in a.mentions if 0 <= m.start < m.end <= len(text)
        ]
        mentions.sort(key=lambda m: (m[0], -m[1]))
        self.mentions = mentions
        self.mention_starts = [m[0] for m in mentions]
        self.forms = {a.id: {normalize_word(m.text) for m in a.mentions} for a in actors}
        counts: Counter[str] = Counter()
        first_seen: dict[str, int] = {}
        for actor in actors:
            if actor.type == "country" and actor.mentions:
                counts[actor.id] += len(actor.mentions)
                first_seen[actor.id] = min(first_seen.get(actor.id, len(text)), actor.mentions[0].start)
        ranked = sorted(counts, key=lambda a: (-counts[a], first_seen[a]))
        # the two parties, and a third in case one of them is the actor speaking to "the parties"
        self.parties = tuple(ranked[:3])
        self.quotes = [q for q in quotes if q.speaker]
        norm = normalize_word(text)
        self.normalized = len(norm) == len(text)
        self.norm = norm if self.normalized else text  # words, sport words, dates: same offsets as text
        self._paragraphs = [m.end() for m in _PARAGRAPH.finditer(text)]
        self._sport: dict[int, bool] = {}

    def _signals(self, start: int, end: int) -> int:
        lex = self.lex
        signals = len(lex.sport.findall(self.norm, start, end)) if lex.sport else 0
        return signals + (len(lex.score.findall(self.norm, start, end)) if lex.score else 0)

    def sport_sentence(self, span: Sentence) -> bool:
        """Whether ``span`` is in a sports context: a sport word or a score in the sentence itself, or two
        such signals in its paragraph (a match report's "In the second half Armenia attacked"). A football
        line elsewhere in the article (a news digest) does not reach a shelling in another paragraph."""
        if self._signals(span.start, span.end):
            return True
        index = bisect.bisect_right(self._paragraphs, span.start)
        if index not in self._sport:
            start = self._paragraphs[index - 1] if index else 0
            end = self._paragraphs[index] if index < len(self._paragraphs) else len(self.text)
            self._sport[index] = self._signals(start, end) >= 2
        return self._sport[index]

    def pronoun_subject(self, start: int, end: int) -> str | None:
        """The person a subject pronoun in ``text[start:end]`` stands for ("He met Pashinyan", "Он
        встретился", "Նա հանդիպել է"): the last person named before it, resolved as quote speakers are
        (``understand.speakers``); None when there is no such pronoun."""
        if self._speakers is None:
            self._speakers = Speakers(
                self.text, quote_lexicon(self.lex.language), self.actors, lambda _: False
            )
        for token in reversed(self._speakers.tokens_in(start, end)):
            kind = token.referent
            if kind is not None and kind.fit == "person" and kind.role is None and not kind.oblique:
                return self._speakers.resolve(token)
        return None

    def quote_speaker(self, position: int) -> str | None:
        for quote in self.quotes:
            if quote.start <= position < quote.end:
                return quote.speaker
        return None

    def read(self, span: Sentence) -> ReadSentence | None:
        """The sentence as words, cues and actor groups; None when it holds no cue."""
        lex, text = self.lex, self.text
        tokens = list(_WORD.finditer(self.norm, span.start, span.end))
        starts = [t.start() for t in tokens]
        ends = [t.end() for t in tokens]
        words = (
            [t.group() for t in tokens] if self.normalized else [normalize_word(t.group()) for t in tokens]
        )
        inside = [False] * len(words)
        chosen: list[tuple[int, int, Actor]] = []
        lo = bisect.bisect_left(self.mention_starts, span.start)
        for start, end, actor in self.mentions[lo:]:
            if start >= span.end:
                break
            if end > span.end or (chosen and start < chosen[-1][1]):
                continue  # nested in (or overlapping) a longer mention already taken
            chosen.append((start, end, actor))
        placed: list[tuple[int, int, int, int, Actor]] = []
        for start, end, actor in chosen:
            first = bisect.bisect_right(ends, start)
            last = bisect.bisect_left(starts, end) - 1
            if first > last:
                continue
            for k in range(first, last + 1):
                inside[k] = True
            placed.append((first, last, start, end, actor))
        hits = find_phrases(lex, words, inside)
        cues = {h.first for h in hits if h.phrase.kind == "cue"}
        if not cues:
            return None
        raw = [
            self._group((a.id,), first, last, start, end, (a.type,), words, a.id, cues)
            for first, last, start, end, a in placed
        ]
        for hit in hits:
            if hit.phrase.kind == "collective" and self.parties:
                start, end = starts[hit.first], ends[hit.last]
                raw.append(
                    self._group(
                        self.parties, hit.first, hit.last, start, end, ("collective",), words, None, cues
                    )
                )
        raw.sort(key=lambda g: g.first)
        agent_last = {h.last for h in hits if h.phrase.kind == "agent"}
        agent_first = {h.first for h in hits if h.phrase.kind == "agent_after"}
        for group in raw:
            prev = self._prev(words, group.first)
            if prev >= 0 and prev in agent_last:
                group.role = "agent"
            elif group.last + 1 in agent_first:
                group.role, group.after = "agent", True
        breaks = [m.start() for m in lex.clause_break.finditer(text, span.start, span.end)]
        clause = [bisect.bisect_right(breaks, s) for s in starts]
        sentence = ReadSentence(span, starts, ends, words, hits, [], clause, agent_last)
        sentence.groups = self._titled(self._coordinate(raw, sentence), sentence)
        for group in sentence.groups:
            group.oblique = group.role == "mod" and self._governed(group, sentence)
        return sentence

    def _governed(self, group: ActorGroup, sentence: ReadSentence) -> bool:
        """Whether the noun a modifier belongs to is governed by a preposition or a postposition: "with the
        authorities of the two countries", "с властями двух стран", "երկու երկրների իշխանությունների հետ".
        Such a group is inside an object or a place, never the subject of a cue. The noun may have up to
        ``[roles] head_window`` words."""
        lex, words = self.lex, sentence.words
        cues = {k for h in sentence.hits for k in range(h.first, h.last + 1)}
        if group.prep not in lex.modifier_before and lex.modifier_endings:
            # a genitive before its noun: a postposition after that noun, before any other actor or cue
            # (an ending is no sign here: "արտաքին" is an adjective, not a dative)
            taken = {k for g in sentence.groups for k in range(g.first, g.last + 1)}
            for k in range(group.last + 1, min(group.last + 1 + lex.head_window, len(words))):
                if k in cues or k in taken or sentence.clause[k] != sentence.clause[group.last]:
                    return False
                if words[k] in lex.object_after:
                    return True
            return False
        # a modifier after its noun ("of X", a genitive): the words of that noun, then the word governing it
        k = self._prev(words, group.first) - 1 if group.prep in lex.modifier_before else group.first - 1
        content = 0
        prepositions = lex.object_before | lex.locative_before
        while k >= 0 and k not in cues and sentence.clause[k] == sentence.clause[group.first]:
            if "," in self.text[sentence.ends[k] : sentence.starts[k + 1]]:
                return False
            word = words[k]
            if word in prepositions:
                return True
            if word in lex.modifier_before:
                content = 0  # "the head of the office of X": the noun before is itself a modifier
            elif word in lex.determiners:
                k -= 1
                continue
            elif (k + 1 < len(words) and words[k + 1] in lex.determiners) or content >= lex.head_window:
                return False  # "on Tuesday the government of X": the noun phrase began after "the"
            else:
                content += 1
            k -= 1
        return False

    def _prev(self, words: list[str], first: int) -> int:
        """The index of the word before ``first``, skipping determiners ("to the UN")."""
        k = first - 1
        while k >= 0 and words[k] in self.lex.determiners:
            k -= 1
        return k

    def _group(
        self,
        ids: tuple[str, ...],
        first: int,
        last: int,
        start: int,
        end: int,
        types: tuple[str, ...],
        words: list[str],
        actor_id: str | None,
        cues: set[int],
    ) -> ActorGroup:
        lex, text = self.lex, self.text
        prev_index = self._prev(words, first)
        prev = words[prev_index] if prev_index >= 0 else None
        post = words[last + 1] if last + 1 < len(words) and last + 1 not in cues else None
        token = words[last]
        forms = self.forms.get(actor_id or "", set())

        def ends_with(endings: tuple[str, ...]) -> bool:
            # a person's own name may end like a case ending ("Պուտին"): trust the ending only when
            # another form of the name lacks it
            return any(
                token.endswith(ending)
                and len(token) > len(ending) + 1
                and ("person" not in types or any(not f.endswith(ending) for f in forms))
                for ending in endings
            )

        after = text[end : end + 12].lower()
        if any(after.startswith(c) for c in lex.compound_after):
            role = "skip"
        elif types == ("place",) or prev in lex.locative_before or ends_with(lex.locative_endings):
            role = "loc"
        elif any(token.endswith(e) for e in lex.possessive_endings) or text.startswith(("'s", "’s"), end):
            role = "poss" if lex.possessive_endings else "subj"
        elif prev in lex.object_before or post in lex.object_after or ends_with(lex.object_endings):
            role = "obj"
        elif (
            prev in lex.modifier_before
            or ends_with(lex.modifier_endings)
            or " ".join(words[first : last + 1]) in lex.modifier_forms
        ):
            role = "mod"
        elif prev in lex.coordinators:
            role = "and"  # takes the role of the mention before it (see _coordinate)
        else:
            role = "subj"
        marked_after = (
            post in lex.object_after or ends_with(lex.object_endings) or ends_with(lex.locative_endings)
        )
        return ActorGroup(
            ids,
            first,
            last,
            role,
            prev,
            post,
            types,
            actor_id is None,
            role in ("obj", "loc") and marked_after,
        )

    def _titled(self, groups: list[ActorGroup], sentence: ReadSentence) -> list[ActorGroup]:
        """A country or organisation that only describes the person after it ("Azerbaijani Foreign Minister
        Jeyhun Bayramov", "Ադրբեջանի ԱԳ նախարար Ջեյհուն Բայրամովի հետ") is one group with the person's id:
        the person is the actor, in the role the whole phrase has."""
        hits = [h.first for h in sentence.hits]
        merged: list[ActorGroup] = []
        for group in groups:
            previous = merged[-1] if merged else None
            if (
                previous is not None
                and set(group.types) == {"person"}
                and not {"person", "place", "collective"} & set(previous.types)
                and previous.role not in ("loc", "agent", "skip")
                and not any(previous.last < h < group.first for h in hits)
            ):
                gap = self.text[sentence.ends[previous.last] : sentence.starts[group.first]]
                words = [w.lower() for w in gap.split()]
                if "," not in gap and len(words) <= 4 and not self.lex.coordinators & set(words):
                    role = group.role if group.after else previous.role
                    merged[-1] = ActorGroup(
                        group.ids, previous.first, group.last, role, previous.prep, group.post, group.types,
                        after=group.after,
                    )  # fmt: skip
                    continue
            merged.append(group)
        return merged

    def _coordinate(self, raw: list[ActorGroup], sentence: ReadSentence) -> list[ActorGroup]:
        """Join mentions separated only by "and" or a comma; "X and Y" shares the role of its first member
        (its last member's, when a postposition or an ending marks the whole group: "X-ի և Y-ի միջև")."""
        lex, text = self.lex, self.text
        cue_tokens = sorted(h.first for h in sentence.hits if h.phrase.kind in ("cue", "claim"))
        groups: list[ActorGroup] = []
        for group in raw:
            if group.role == "and":
                # "to the UN secretary general and the Security Council": the role of the mention before,
                # when only a few words and no cue or comma stand between them
                previous = groups[-1] if groups else None
                inherit = previous is not None and previous.role in ("obj", "mod", "poss", "loc", "subj")
                if previous is not None and inherit:
                    gap = text[sentence.ends[previous.last] : sentence.starts[group.first]]
                    cue_between = any(previous.last < c < group.first for c in cue_tokens)
                    inherit = not cue_between and "," not in gap and len(gap.split()) <= 4
                group.role = previous.role if previous is not None and inherit else "subj"
            if groups:
                previous = groups[-1]
                gap = (
                    text[sentence.ends[previous.last] : sentence.starts[group.first]].strip(" ,\n\t").lower()
                )
                gap = " ".join(w for w in gap.split() if w not in lex.determiners)
                listed = not gap and (
                    text.startswith(",", sentence.ends[group.last])
                    or text[sentence.ends[group.last] :].lstrip().split(" ", 1)[0].lower() in lex.coordinators
                )
                if (gap in lex.coordinators or listed) and "skip" not in (previous.role, group.role):
                    role = group.role if group.after else previous.role
                    groups[-1] = ActorGroup(
                        tuple(dict.fromkeys(previous.ids + group.ids)),
                        previous.first,
                        group.last,
                        role,
                        previous.prep,
                        group.post,
                        previous.types + group.types,
                        previous.collective or group.collective,
                        group.after,
                    )
                    continue
            groups.append(group)
        return groups
