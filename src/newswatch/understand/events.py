"""Coded events: who did what to whom, when and where, sentence by sentence.

A *cue* of the language's lexicon (``data/events/<lang>.toml``) names a PLOVER type and the nearest CAMEO
code ("urged" → REQUEST 020, "accused" → ACCUSE 112, "opened fire" → ASSAULT 193). Its **source** is the
actor in subject position before it in the clause (a preposition, postposition or case ending marks the
others as objects or places; "by X" marks a doer); its **targets** are the actor group after it and the
ones introduced by "to", "against", "between" (one event each). "The parties" stands for the article's two
leading countries; a collective subject, "each other" or "clashes between X and Y" make the event mutual.
A negation before the cue sets ``negated``; "according to X", "X claimed that", an accusation governing
the cue or a quote containing it set ``claimed_by``. Dates ("on Tuesday", "вчера", "մարտի 3-ին") resolve
against the publication date; a place in a locative gives ``location``. No ASSAULT, COERCE or MOBILIZE in
a sports context. The rules, the data layout and how ``confidence`` is set: ``docs/events.md``.

How a sentence is read into words, cues and actor groups with their roles is
``newswatch.understand.event_reading``; this module decides which events those make.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from newswatch.model import Actor, Event, Quote
from newswatch.understand.event_lexicon import Hit, Phrase, dates_in, event_types, lexicon, published_date
from newswatch.understand.event_reading import ActorGroup, ArticleReader, ReadSentence
from newswatch.understand.sentences import Sentence, split_sentences

__all__ = ["find_events"]


@dataclass(slots=True)
class _Found:
    """An event before its date and location are filled in."""

    phrase: Phrase
    hit: Hit
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    mutual: bool
    confidence: float
    negated: bool
    claimed_by: str | None


class _Finder:
    """The events of one sentence."""

    def __init__(self, article: ArticleReader, sentence: ReadSentence) -> None:
        self.article = article
        self.lex = article.lex
        self.s = sentence
        self.speech = [h for h in sentence.hits if h.phrase.kind in ("cue", "claim")]
        self.first_speech = self.speech[0].first if self.speech else len(sentence.words)

    def _window_start(self, hit: Hit) -> int:
        """Where the clause of ``hit`` begins, or the end of the cue before it in that clause."""
        s = self.s
        clause = s.clause[hit.first]
        start = hit.first
        while start > 0 and s.clause[start - 1] == clause:
            start -= 1
        for other in self.speech:
            if other.last < hit.first and s.clause[other.last] == clause:
                start = max(start, other.last + 1)
        return start

    def _window_end(self, hit: Hit) -> int:
        """Where the targets of ``hit`` end: the end of its clause or the next verb cue in it. A noun cue
        ("welcomed the talks between X and Y") is part of the object; so is a verb cue an irrealis cue
        governs ("denied attacking Armenia"), up to a coordinated predicate."""
        s = self.s
        clause = s.clause[hit.first]
        end = hit.last + 1
        while end < len(s.words) and s.clause[end] == clause:
            end += 1
        irrealis = hit.phrase.type is not None and event_types()[hit.phrase.type].irrealis
        for other in self.speech:
            if other.first > hit.last and not other.phrase.noun:
                if irrealis and other.phrase.kind == "cue" and not self._coordinated(other):
                    continue
                return min(end, other.first)
        return end

    def _agent_cue(self, group: ActorGroup) -> Hit | None:
        """The cue a doer belongs to: the one before "by X" / "со стороны X", after "X-ի կողմից"."""
        cues = [h for h in self.s.hits if h.phrase.kind == "cue"]
        if group.after:
            hit = next((h for h in cues if h.first > group.last), None)
            return hit if hit is not None and hit.first - group.last <= 3 else None
        hit = next((h for h in reversed(cues) if h.last < group.first), None)
        return hit if hit is not None and group.first - hit.last <= 4 else None

    def _coordinated(self, hit: Hit) -> bool:
        """Whether the cue is a second predicate of its sentence ("… and called on the parties")."""
        return hit.first > 0 and self.s.words[hit.first - 1] in self.lex.coordinators

    @staticmethod
    def _party_ids(group: ActorGroup, sources: tuple[str, ...]) -> tuple[str, ...]:
        """A group's actors as targets; "the parties" are the two leading countries other than the source."""
        if group.collective:
            return tuple(i for i in group.ids if i not in sources)[:2]
        return group.ids

    def _next_subject(self, group: ActorGroup) -> bool:
        """Whether ``group`` is the subject of a following coordinated clause ("…, and France recalled")."""
        if group.prep not in self.lex.coordinators:
            return False
        return any(h.phrase.kind == "cue" and 0 < h.first - group.last <= 3 for h in self.s.hits)

    def _nearest_left(
        self, start: int, stop: int, roles: tuple[str, ...], *, subject: bool = False
    ) -> ActorGroup | None:
        """The last group in ``roles`` between ``start`` and ``stop``; as a ``subject``, none that modifies a
        noun a preposition governs ("with the authorities of the two countries")."""
        best = None
        for group in self.s.groups:
            in_window = group.first >= start and group.last < stop and group.role in roles
            if in_window and not (subject and group.oblique):
                best = group
        return best

    def subject_of(self, hit: Hit) -> ActorGroup | None:
        """The actor group in subject position before ``hit`` (used for claims, too)."""
        start = self._window_start(hit)
        return self._nearest_left(start, hit.first, ("subj",), subject=True) or self._nearest_left(
            start, hit.first, ("mod", "poss"), subject=True
        )

    def find(self, hit: Hit) -> _Found | None:
        s, lex, phrase = self.s, self.lex, hit.phrase
        words = s.words
        start, end = self._window_start(hit), self._window_end(hit)
        confidence = 0.65 if phrase.noun else 0.8
        source: ActorGroup | None = None
        sources: tuple[str, ...] = ()
        targets: list[str] = []
        mutual = phrase.mutual
        claimed_by: str | None = None
        speaker_source = False
        passive = bool(
            lex.passive_before
            and not phrase.noun
            and hit.first > 0
            and words[hit.first - 1] in lex.passive_before
            and not words[hit.first].endswith("ing")
        )
        clause = s.clause[hit.first]
        agents = [g for g in s.groups if g.role == "agent" and self._agent_cue(g) is hit]
        if agents:
            source = agents[0]
            confidence += 0.05
        elif passive:
            return None  # "the ceasefire has been violated": no doer named
        elif phrase.noun and hit.first > 0:
            source = next(
                (g for g in s.groups if g.last == hit.first - 1 and g.role not in ("loc", "skip")), None
            )
            if source is not None:
                # "the UN will send a mission at Armenia's request": the request is made to the subject
                addressee = self._nearest_left(start, source.first, ("subj",))
                targets.extend(addressee.ids if addressee else ())
        if source is None and not passive and self._coordinated(hit):
            leading = [g for g in s.groups if g.last < self.first_speech and not g.oblique]
            source = next((g for g in leading if g.role == "subj"), None) or next(
                (g for g in leading if g.role in ("mod", "poss")), None
            )
            confidence -= 0.1
        if source is None and not passive:
            source = self._nearest_left(start, hit.first, ("subj",), subject=True)
            if source is None:
                source = self._nearest_left(start, hit.first, ("mod", "poss"), subject=True)
                confidence -= 0.15
        if source is None and not passive and not phrase.noun:
            person = self.article.pronoun_subject(s.starts[start], s.starts[hit.first])
            if person is not None:
                sources = (person,)
                confidence -= 0.15
        if (
            not sources
            and source is None
            and not passive
            and lex.first_person & set(words[start : hit.first])
        ):
            speaker = self.article.quote_speaker(s.starts[hit.first])
            if speaker:
                sources, speaker_source = (speaker,), True
                confidence -= 0.15
        collective = False
        if source is not None:
            sources = source.ids
            collective = source.collective
            if collective:
                sources = sources[:2]
                confidence -= 0.1
        # targets
        if passive:
            patient = self._nearest_left(start, hit.first, ("subj", "mod", "poss"))
            targets.extend(patient.ids if patient else ())
        else:
            after = [
                g
                for g in s.groups
                if hit.last < g.first < end and g.role not in ("loc", "agent", "skip") and g is not source
            ]
            after = [g for g in after if not self._next_subject(g)]
            for index, group in enumerate(after):
                if (index == 0 and group.first - hit.last <= lex.target_window) or (
                    group.role == "obj" and group.prep in lex.target_before
                ):
                    targets.extend(self._party_ids(group, sources))
            if not targets and agents and source is not None and source.first > hit.last:
                # "подверглись обстрелу со стороны X": the subject is what was hit
                patient = self._nearest_left(start, hit.first, ("subj",))
                targets.extend(patient.ids if patient else ())
            if lex.verb_final:
                floor = source.last if source is not None else start - 1
                for group in s.groups:
                    if floor < group.first and group.last < hit.first and group.role == "obj":
                        targets.extend(self._party_ids(group, sources))
        if not sources:
            between = next(
                (
                    g
                    for g in s.groups
                    if len(g.ids) > 1
                    and (
                        (g.prep in lex.between and 0 < g.first - hit.last <= 3)
                        or (g.post in lex.between and g.last + 2 == hit.first)
                    )
                ),
                None,
            )
            if between is None:
                return None
            sources, targets, mutual = between.ids, [], True
            confidence -= 0.2
        for other in s.hits:
            if (
                other.phrase.kind == "reciprocal"
                and abs(other.first - hit.first) <= 4
                and s.clause[other.first] == clause
            ):
                mutual = True
        if len(sources) > 1 and not targets and (collective or event_types()[phrase.type or ""].joint):
            mutual = True
        if not targets and not mutual:
            confidence -= 0.1
        negated = self._negated(hit)
        if not speaker_source:
            claimed_by = self._claimer(hit, sources)
        unique_targets = tuple(t for t in dict.fromkeys(targets) if t not in sources or mutual)
        return _Found(phrase, hit, sources, unique_targets, mutual, confidence, negated, claimed_by)

    def _negated(self, hit: Hit) -> bool:
        """Whether a negation stands a few words before the cue, in its clause, or inside it."""
        window = self.s.words[
            max(self._window_start(hit), hit.first - self.lex.negation_window) : hit.last + 1
        ]
        return hit.negated or bool(self.lex.negations & set(window))

    def _topic(self, hit: Hit) -> bool:
        """Whether a noun cue is the topic of what is said: after "on"/"about"/"о", before "մասին"."""
        words, lex = self.s.words, self.lex
        k = hit.first - 1
        while k >= 0 and words[k] in lex.determiners:
            k -= 1
        after = words[hit.last + 1] if hit.last + 1 < len(words) else None
        return (k >= 0 and words[k] in lex.topic_before) or after in lex.topic_after

    def _governor(self, hit: Hit) -> Hit | None:
        """The speech verb or accusation before ``hit`` whose content ``hit`` is ("accused X of shelling",
        "claimed that X opened fire"); None for a coordinated predicate or when there is none."""
        if self._coordinated(hit):
            return None
        types = event_types()
        for other in reversed(self.s.hits):
            if other.last >= hit.first:
                continue
            kind, type_name = other.phrase.kind, other.phrase.type
            if kind == "claim" or (kind == "cue" and type_name and types[type_name].reports):
                return other
        return None

    def _claimer(self, hit: Hit, sources: tuple[str, ...]) -> str | None:
        s = self.s
        for other in s.hits:
            kind = other.phrase.kind
            if kind == "claim_by":
                group = next(
                    (g for g in s.groups if g.first > other.last and g.first - other.last <= 3), None
                )
                if group is not None:
                    return group.ids[0]
            elif kind == "claim_after":
                group = next((g for g in s.groups if g.last == other.first - 1), None)
                if group is not None:
                    return group.ids[0]
        if not self._coordinated(hit):
            for other in reversed(s.hits):
                if other.last >= hit.first:
                    continue
                if other.phrase.kind == "claim":
                    group = self.subject_of(other)
                    if group is not None:
                        return group.ids[0]
                elif (
                    other.phrase.kind == "cue"
                    and other.phrase.type
                    and event_types()[other.phrase.type].reports
                ):
                    group = self.subject_of(other)
                    if group is not None and group.ids != sources:
                        return group.ids[0]
        speaker = self.article.quote_speaker(s.starts[hit.first])
        if speaker is None:
            # "…, the ministry said": a speech verb after the cue, ending the sentence
            for other in s.hits:
                if other.phrase.kind == "claim" and other.first > hit.last:
                    text = self.article.text[s.ends[hit.last] : s.starts[other.first]]
                    group = next(
                        (g for g in s.groups if g.last == other.first - 1 or g.first == other.last + 1), None
                    )
                    if "," in text and group is not None:
                        return group.ids[0]
        return speaker

    def events(self) -> list[_Found]:
        found: list[_Found] = []
        types = event_types()
        irrealis_clause: int | None = None
        for hit in self.s.hits:
            if hit.phrase.kind != "cue" or hit.phrase.type is None:
                continue
            info = types[hit.phrase.type]
            clause = self.s.clause[hit.first]
            governed = irrealis_clause == clause and not self._coordinated(hit)
            if info.irrealis:
                irrealis_clause = clause
            if governed or (info.sport and self.article.sport_sentence(self.s.span)):
                continue
            if hit.phrase.noun and self._topic(hit):
                continue  # "commented on the talks": the talks are what was spoken about
            governor = self._governor(hit)
            if governor is not None and self._negated(governor):
                continue  # "did not accuse X of shelling": nobody asserts the shelling
            event = self.find(hit)
            if event is not None:
                found.append(event)
        return found


def _location(sentence: ReadSentence, position: int) -> str | None:
    """A place (or a country named as a place) in a locative, nearest the cue; places first. A locative
    next to a speech verb names who spoke, not where ("заявили в Минобороны Азербайджана")."""
    best: tuple[int, int, str] | None = None
    speech = [h for h in sentence.hits if h.phrase.kind == "claim"]
    for group in sentence.groups:
        if group.role != "loc" or any(
            group.first - 2 <= h.last < group.first or h.first == group.last + 1 for h in speech
        ):
            continue
        is_place = "place" in group.types
        ident = (
            group.ids[group.types.index("place")]
            if is_place and len(group.types) == len(group.ids)
            else group.ids[0]
        )
        key = (0 if is_place else 1, abs(group.first - position), ident)
        if best is None or key[:2] < best[:2]:
            best = key
    return best[2] if best else None


def find_events(
    text: str,
    language: str | None,
    sentences: Sequence[Sentence],
    actors: Sequence[Actor],
    quotes: Sequence[Quote],
    *,
    published: str | None,
) -> tuple[Event, ...]:
    """The coded events of an article, in text order; none for a language without an event lexicon."""
    lex = lexicon(language)
    if lex is None or not text.strip():
        return ()
    if not sentences:
        sentences = split_sentences(text, language)
    article = ArticleReader(text, lex, actors, quotes)
    when_published = published_date(published)
    events: dict[tuple[str, str, str | None, int, bool], Event] = {}
    for span in sentences:
        sentence = article.read(span)
        if sentence is None:
            continue
        found = _Finder(article, sentence).events()
        if not found:
            continue
        dates = dates_in(lex, article.norm, span.start, span.end, when_published)
        for item in found:
            position = sentence.starts[item.hit.first]
            if dates:
                when: str | None = min(dates, key=lambda d: abs(d[0] - position))[1].isoformat()
            else:
                when = when_published.isoformat() if when_published else None
            location = _location(sentence, item.hit.first)
            if item.mutual:
                people = tuple(dict.fromkeys(item.sources + item.targets))
                pairs: list[tuple[str, str | None]] = [(a, b) for a in people for b in people if a != b]
            else:
                pairs = [(a, b) for a in item.sources for b in (item.targets or (None,)) if a != b]
            if not pairs:
                pairs = [(item.sources[0], None)]
            type_name = item.phrase.type or ""
            for source, target in pairs:
                key = (type_name, source, target, span.start, item.negated)
                confidence = round(min(0.95, max(0.05, item.confidence)), 2)
                if key in events and events[key].confidence >= confidence:
                    continue
                events[key] = Event(
                    type=type_name,
                    cameo=item.phrase.cameo or event_types()[type_name].cameo,
                    source=source,
                    target=target,
                    date=when,
                    location=location,
                    sentence=span.text,
                    start=span.start,
                    end=span.end,
                    confidence=confidence,
                    negated=item.negated,
                    claimed_by=item.claimed_by,
                )
    return tuple(events.values())
