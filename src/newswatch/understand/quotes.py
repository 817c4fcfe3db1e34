"""Quotations: who said what, each quote tied to the span of ``text`` it reports.

Two kinds of quotation are found (``docs/quotes.md`` has the full list of forms):

* **direct** — words between quote marks (“…”, "…", «…», „…“, ‘…’; nested marks belong to the outer
  quote), possibly spanning sentences. The speaker comes from a speech verb (the *cue*) right after the
  closing mark (``"…," Mirzoyan said``, ``«…», — заявил Лавров``, ``«…»,- ասել է Միրզոյանը``), or right before
  the opening mark in the same or the previous sentence (``Mirzoyan said: "…"``, ``Բայրամովը նշել է. «…»``).
  A quote with no cue continues the speaker of the quote just before it. A quoted span of one to three
  words with no cue right beside it is a scare quote or a name, not a quotation.
* **reported** (``direct`` false) — ``X said (that) …``, ``X заявил, что …``, ``X-ը նշել է, որ …``;
  ``according to X, …``, ``по словам X, …``, ``Ըստ X-ի՝ …``, ``Նրա խոսքով …``; ``…, he said.``; and
  ``X said this.`` / ``Об этом заявил X.``, which reports the sentences before it. The quote is the
  reported content.

The speaker is an actor id: the actor named in the cue clause (a person is preferred over an organisation
or a country in the same noun phrase), or — for a pronoun or a role noun ("he", "the minister", "the
ministry", "она", "նախարարը") — the last fitting named actor before it. Mentions inside long quotations do
not count as earlier actors; that resolution is ``newswatch.understand.speakers``. Every cue word, pronoun,
role noun and quote mark is data in ``data/quotes/<lang>.toml``, loaded once per language; an unknown
language uses all the files together.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from newswatch.model import Actor, Quote
from newswatch.understand.quote_lexicon import QuoteLexicon, lexicon
from newswatch.understand.sentences import Sentence, split_sentences
from newswatch.understand.speakers import CLAUSE_MARK, WORD, Speakers, Token, count_words

__all__ = ["find_quotes"]

#: A quoted span of this many words or fewer needs a cue right beside it to be a quotation.
_SHORT = 3
#: Most words between a closing mark and its cue ("…," UN Special Representative Miroslav Jenca said).
_TRAILING_WORDS = 10
#: Most words between a cue and the opening mark ("told reporters on Tuesday: «…»").
_LEADING_WORDS = 4
#: Most words between a cue ending the previous sentence and the opening mark ("Բայրամովը նշել է. «…»").
_PREVIOUS_WORDS = 2

_GLUED = re.compile(r"[^\W_]*(?:[-’'][^\W_]+)*")
_PARAGRAPH = re.compile(r"\n[^\S\n]*\n")
_SEPARATORS = " \t\n,:;՝—–-"
_CONTENT_END = " \t\n.,;:։"
_PUNCT_ONLY = re.compile(r"[\s\"'“”«»„‘’.,;:!?…։՝—–-]*\Z")
_BEFORE_NEW_REPORT = re.compile(r"[,;]\s*\Z")
_SENTENCE_END = re.compile(r"[.!?…։](?:\s|\Z)")
_INSIDE_END = re.compile(r"[,!?…]\s*\Z")
_LEADING_PUNCT = re.compile(r"\s*[,.!?…—–-]")
_OPENER_BEFORE = frozenset(" \t\n([{—–-/:")


@dataclass(frozen=True, slots=True)
class _Attribution:
    speaker: str | None
    cue: str | None


def find_quotes(
    text: str, language: str | None, sentences: Sequence[Sentence], actors: Sequence[Actor]
) -> tuple[Quote, ...]:
    """The quotations of ``text``, sorted by start; ``text[q.start:q.end] == q.text`` for every quote."""
    if not text.strip():
        return ()
    if not sentences:
        sentences = split_sentences(text, language)
    return _Document(text, lexicon(language), sentences, actors).quotes()


def _trim(text: str, start: int, end: int, lead: str, tail: str) -> tuple[int, int]:
    while start < end and text[start] in lead:
        start += 1
    while end > start and text[end - 1] in tail:
        end -= 1
    return start, end


class _Document:
    """One article's text with its sentences, quoted spans, cue words and speakers, indexed for lookups."""

    def __init__(self, text: str, lex: QuoteLexicon, sentences: Sequence[Sentence], actors: Sequence[Actor]):
        self.text = text
        self.lex = lex
        self.sentences = sorted(sentences, key=lambda s: s.start)
        self.starts = [s.start for s in self.sentences]
        self.breaks = [m.start() for m in _PARAGRAPH.finditer(text)]
        self.spans = self._quoted_spans()
        long_spans = [(o, c) for o, c in self.spans if count_words(text, o + 1, c) > _SHORT]
        self.long_starts = [o for o, _ in long_spans]
        self.long_spans = long_spans
        self.long_closes = [c for _, c in long_spans]
        self.speakers = Speakers(text, lex, actors, self._inside_long)
        self.cues = [(m.start(), m.end()) for m in lex.cues.finditer(text)]
        self.cue_starts = [start for start, _ in self.cues]

    # -- indexes

    def _inside_long(self, position: int) -> bool:
        i = bisect_right(self.long_starts, position) - 1
        return i >= 0 and self.long_spans[i][0] < position < self.long_spans[i][1]

    def _sentence(self, position: int) -> int:
        return max(0, bisect_right(self.starts, position) - 1)

    def _paragraph(self, position: int) -> int:
        return bisect_right(self.breaks, position)

    def _cues_in(self, start: int, end: int) -> list[tuple[int, int]]:
        i = bisect_left(self.cue_starts, start)
        j = bisect_left(self.cue_starts, end)
        return [cue for cue in self.cues[i:j] if cue[1] <= end]

    def _quoted_spans(self) -> list[tuple[int, int]]:
        """Outermost quoted spans as (opening mark, closing mark) positions; a paragraph break closes all."""
        text, closers = self.text, self.lex.closers
        stack: list[tuple[int, str]] = []
        spans: list[tuple[int, int]] = []
        for match in self.lex.marks.finditer(text):
            char, i = match.group(), match.start()
            if char[0] == "\n":
                stack.clear()
                continue
            after = text[i + 1] if i + 1 < len(text) else " "
            if char == "’" and after.isalpha():
                continue  # an apostrophe: Armenia’s
            depth = next((d for d in range(len(stack) - 1, -1, -1) if char in stack[d][1]), None)
            if depth is not None:
                if depth == 0:
                    spans.append((stack[0][0], i))
                del stack[depth:]
            elif char in closers and not after.isspace():
                before = text[i - 1] if i else " "
                symmetric = char in closers[char] or char == "‘"
                if symmetric and before not in _OPENER_BEFORE and before not in closers:
                    continue
                stack.append((i, closers[char]))
        return spans

    def _cue_speaker(self, start: int, end: int, cue: tuple[int, int]) -> str | None:
        """The speaker of ``cue`` in [start, end); a participle defers to the last cue before it there."""
        earlier = self._cues_in(start, cue[0])
        return self.speakers.cue_speaker(start, end, cue, earlier[-1] if earlier else None)

    def _clause_end(self, start: int, end: int) -> int:
        match = CLAUSE_MARK.search(self.text, start, end)
        return match.start() if match else end

    # -- direct quotations

    def _trailing(self, close: int, limit: int, short: bool, next_sentence: bool) -> _Attribution | None:
        """A cue after the closing mark: ``"…," Mirzoyan said`` / ``«…», — заявил Лавров``."""
        text = self.text
        s = self._sentence(close)
        start, end = close + 1, min(self.sentences[s].end, limit)
        if next_sentence:
            if s + 1 >= len(self.sentences) or not _PUNCT_ONLY.match(text, start, end):
                return None
            following = self.sentences[s + 1]
            if self._paragraph(following.start) != self._paragraph(close):
                return None
            start, end = following.start, min(following.end, limit)
        elif short and not (
            _INSIDE_END.search(text, max(0, close - 8), close) or _LEADING_PUNCT.match(text, start)
        ):
            return None
        for cue in self._cues_in(start, end):
            if count_words(text, start, cue[0]) > _TRAILING_WORDS:
                break
            speaker = self._cue_speaker(start, self._clause_end(cue[1], end), cue)
            return _Attribution(speaker, text[cue[0] : cue[1]])
        return None

    def _leading(self, opening: int, floor: int, short: bool) -> _Attribution | None:
        """A cue before the opening mark: ``Mirzoyan said: "…"`` / ``Բայրամովը նշել է. «…»``."""
        text = self.text
        s = self._sentence(opening)
        start = max(self.sentences[s].start, floor)
        end, most = opening, _LEADING_WORDS
        if _PUNCT_ONLY.match(text, start, end) and s > 0 and not short:
            previous = self.sentences[s - 1]
            if self._paragraph(previous.start) == self._paragraph(opening) and previous.end > floor:
                start, end, most = max(previous.start, floor), previous.end, _PREVIOUS_WORDS
        cues = self._cues_in(start, end)
        if not cues:
            return None
        cue = cues[-1]
        if short:
            gap = text[cue[1] : opening].strip(_SEPARATORS + ".")
            if gap and not self.lex.complement.fullmatch(" " + gap):
                return None
        elif count_words(text, cue[1], end) > most:
            return None
        return _Attribution(self._cue_speaker(start, end, cue), text[cue[0] : cue[1]])

    def _direct(self) -> list[Quote]:
        text = self.text
        quotes: list[Quote] = []
        last_close = -1
        last: Quote | None = None
        for n, (opening, close) in enumerate(self.spans):
            start, end = _trim(text, opening + 1, close, " \t\n", " \t\n,")
            if start >= end:
                continue
            words = count_words(text, start, end)
            short = words <= _SHORT
            limit = self.spans[n + 1][0] if n + 1 < len(self.spans) else len(text)
            found = [
                self._trailing(close, limit, short, next_sentence=False),
                self._leading(opening, last_close + 1, short),
                None if short else self._trailing(close, limit, short, next_sentence=True),
            ]
            attribution = next((a for a in found if a and a.speaker), None) or next(
                (a for a in found if a), None
            )
            if attribution is None and not short:
                attribution = self._continued(last, opening) or self._unattributed(start, end)
            last_close = close
            if attribution is None or (short and attribution.speaker is None):
                continue
            last = Quote(attribution.speaker, text[start:end], start, end, True, attribution.cue)
            quotes.append(last)
        return quotes

    def _continued(self, last: Quote | None, opening: int) -> _Attribution | None:
        """A quote with no cue goes on from the quote just before it (same or next sentence or paragraph)."""
        if last is None or last.speaker is None:
            return None
        sentences = self._sentence(opening) - self._sentence(last.end)
        if sentences > 1 or self._paragraph(opening) - self._paragraph(last.end) > 1:
            return None
        between = self.speakers.tokens_in(last.end, opening)
        if any(t.actor and t.actor.type == "person" and t.actor.id != last.speaker for t in between):
            return None
        return _Attribution(last.speaker, None)

    def _unattributed(self, start: int, end: int) -> _Attribution | None:
        """A long quote that reads like speech (it has sentence punctuation) but names no speaker."""
        return _Attribution(None, None) if _SENTENCE_END.search(self.text, start, end) else None

    # -- reported speech

    def _content(self, start: int, sentence: Sentence, minimum: int) -> tuple[int, int] | None:
        """Reported content from ``start`` to the end of the sentence, or to ", adding that …"."""
        end = sentence.end
        for cue in self._cues_in(start, end):
            if _BEFORE_NEW_REPORT.search(self.text, start, cue[0]):
                end = cue[0]
                break
        begin, end = _trim(self.text, start, end, _SEPARATORS, _CONTENT_END)
        return (begin, end) if count_words(self.text, begin, end) >= minimum else None

    def _according(self) -> Iterable[Quote]:
        """``according to X, …`` / ``по словам X, …`` / ``Ըստ X-ի՝ …`` / ``Նրա խոսքով …``."""
        text = self.text
        for before, after in self.lex.according:
            anchor = before or after
            assert anchor is not None
            for match in anchor.finditer(text):
                sentence = self.sentences[self._sentence(match.start())]
                found = self._according_speaker(match, before is not None, after, sentence)
                if found is None:
                    continue
                token, form_end, cue = found
                speaker = token.actor.id if token.actor is not None else self.speakers.resolve(token)
                if speaker is None:
                    continue
                span = self._content(form_end, sentence, 2)
                if span is None:  # the form closes the sentence: "…, according to Jenca."
                    start, end = _trim(text, sentence.start, match.start(), _SEPARATORS, _CONTENT_END)
                    span = (start, end) if count_words(text, start, end) >= 3 else None
                if span is not None:
                    yield Quote(speaker, text[span[0] : span[1]], span[0], span[1], False, cue)

    def _according_speaker(
        self, match: re.Match[str], leads: bool, after: re.Pattern[str] | None, sentence: Sentence
    ) -> tuple[Token, int, str] | None:
        text = self.text
        if leads:
            i = bisect_left(self.speakers.token_starts, match.end())
            if i >= len(self.speakers.tokens) or self.speakers.tokens[i].start >= sentence.end:
                return None
            token = self.speakers.tokens[i]
            if after is None:
                found = self._phrase(token, match, sentence)
                return None if found is None else (*found, match.group())
            if text[match.end() : token.start].strip():
                return None
            glued = self._word_end(token.end)
            follow = after.match(text, _trim(text, glued, len(text), " \t\n", "")[0])
            if follow is None:
                return None
            return token, follow.end(), f"{match.group()} {follow.group()}"
        i = bisect_left(self.speakers.token_starts, match.start()) - 1
        if i < 0 or self.speakers.tokens[i].start < sentence.start:
            return None
        token = self.speakers.tokens[i]
        if text[self._word_end(token.end) : match.start()].strip():
            return None
        return token, match.end(), match.group()

    def _word_end(self, position: int) -> int:
        """Past an inflection glued to a mention: "ՄԱԿ-ի", "Միրզոյանի" when the mention is "Միրզոյան"."""
        return _GLUED.match(self.text, position).end()  # type: ignore[union-attr]  # always matches

    def _phrase(self, first: Token, form: re.Match[str], sentence: Sentence) -> tuple[Token, int] | None:
        """The speaker named after an "according to" form, and where the name ends.

        When a comma (or a colon, "՝") closes the name within a few words, the name is everything up to it
        and a person in it wins; so does a full stop when the form closes a sentence ("…, according to the
        EU envoy Toivo Klaar."). Otherwise the name is the token right after the form, extended over
        capitalised words to a following person ("according to UN envoy Miroslav Jenca the talks …").
        """
        text, start = self.text, form.end()
        stop = self._clause_end(start, sentence.end)
        closing = stop < sentence.end and (
            text[stop] in ",:;՝" or count_words(text, sentence.start, form.start()) >= 3
        )
        if closing and count_words(text, start, stop) <= 10:
            inside = [
                t
                for t in self.speakers.tokens_in(start, stop)
                if t.actor is not None or t.referent is not None
            ]
            if not inside:
                return None
            persons = [t for t in inside if t.actor is not None and t.actor.type == "person"]
            return (persons[0] if persons else inside[0]), stop
        if text[start : first.start].strip():
            return None
        chosen = first
        for token in self.speakers.tokens_in(first.end, stop):
            gap = WORD.findall(text, chosen.end, token.start)
            if len(gap) > 3 or not all(word[:1].isupper() for word in gap):
                break
            chosen = token
        return chosen, self._word_end(chosen.end)

    def _clause_start(self, sentence: Sentence, position: int) -> int:
        """Where the clause of a cue at ``position`` starts: its sentence, or the last long quote in it."""
        i = bisect_left(self.long_closes, position) - 1
        if i >= 0 and self.long_closes[i] >= sentence.start:
            return self.long_closes[i] + 1
        return sentence.start

    def _reported(self) -> Iterable[Quote]:
        """``X said (that) …``, ``X заявил, что …``, ``X-ը նշել է, որ …``, ``…, he said``, ``X said this``."""
        text, lex = self.text, self.lex
        for n, cue in enumerate(self.cues):
            if self._inside_long(cue[0]):
                continue
            sentence = self.sentences[self._sentence(cue[0])]
            floor = self._clause_start(sentence, cue[0])
            if lex.negation is not None and lex.negation.search(text, max(floor, cue[0] - 40), cue[0]):
                continue  # "did not say", "не заявил": nothing was reported
            word = text[cue[0] : cue[1]]
            complement = lex.complement.match(text, cue[1], sentence.end)
            next_cue = self.cues[n + 1][0] if n + 1 < len(self.cues) else len(text)
            if complement is not None and complement.end() <= next_cue:
                speaker = self._cue_speaker(floor, complement.start(), cue)
                span = self._content(complement.end(), sentence, 2)
                if speaker and span:
                    yield Quote(speaker, text[span[0] : span[1]], span[0], span[1], False, word)
                    continue
            if lex.bare and (quote := self._bare(cue[1], sentence, floor, cue)) is not None:
                yield quote
                continue
            quote = self._trailing_plain(cue, sentence, floor) or self._refers_back(cue, sentence)
            if quote is not None:
                yield quote

    def _bare(self, position: int, sentence: Sentence, floor: int, cue: tuple[int, int]) -> Quote | None:
        """``He said the UN will send a mission …`` (English: no "that")."""
        text = self.text
        if position >= sentence.end or not text[position].isspace():
            return None
        position = _trim(text, position, sentence.end, " \t\n", "")[0]
        if self.lex.audience is not None and (heard := self.lex.audience.match(text, position)):
            position = _trim(text, heard.end(), sentence.end, " \t\n", "")[0]
        if position >= sentence.end or not text[position].isalnum():
            return None
        if self.lex.back_after is not None and self.lex.back_after.match(text, position):
            return None  # "Bayramov added this after the meeting": it points back, it reports nothing
        if self.lex.adjuncts is not None and self.lex.adjuncts.match(text, position):
            return None  # "told reporters at the daily briefing": an adverbial, not what was said
        speaker = self._cue_speaker(floor, cue[1], cue)
        span = self._content(position, sentence, 4)
        if speaker is None or span is None:
            return None
        return Quote(speaker, text[span[0] : span[1]], span[0], span[1], False, text[cue[0] : cue[1]])

    def _trailing_plain(self, cue: tuple[int, int], sentence: Sentence, floor: int) -> Quote | None:
        """``…, he said.`` / ``…, — заявил Лавров.`` / ``…,- ասել է նա։`` — no quote marks."""
        text, lex = self.text, self.lex
        separator = max(text.rfind(mark, floor, cue[0]) for mark in ",—–")
        if separator < floor or (lex.participles and lex.participles.fullmatch(text, cue[0], cue[1])):
            return None
        between = count_words(text, separator + 1, cue[0])
        after_end = self._clause_end(cue[1], sentence.end)
        after = count_words(text, cue[1], after_end)
        if 1 <= between <= _TRAILING_WORDS and after and self._adverbial(cue[1], sentence.end):
            after_end = cue[1]  # "…, Dujarric told reporters at the daily briefing."
        else:
            ends = after_end == sentence.end or text[after_end] == ","
            if not (ends or _PUNCT_ONLY.match(text, after_end, sentence.end)) or not (
                (1 <= between <= _TRAILING_WORDS and after == 0)
                or (between == 0 and 1 <= after <= _TRAILING_WORDS)
            ):
                return None
        speaker = self.speakers.speaker(separator + 1, after_end, cue)
        start, end = _trim(text, floor, separator, _SEPARATORS, _CONTENT_END)
        if speaker is None or count_words(text, start, end) < 4:
            return None
        return Quote(speaker, text[start:end], start, end, False, text[cue[0] : cue[1]])

    def _adverbial(self, position: int, end: int) -> bool:
        """Whether what follows a cue is an audience and adverbials only ("told reporters on Monday")."""
        text, lex = self.text, self.lex
        position = _trim(text, position, end, " \t\n", "")[0]
        if lex.audience is not None and (heard := lex.audience.match(text, position, end)):
            position = _trim(text, heard.end(), end, " \t\n", "")[0]
            if _PUNCT_ONLY.match(text, position, end):
                return True
        return lex.adjuncts is not None and lex.adjuncts.match(text, position, end) is not None

    def _refers_back(self, cue: tuple[int, int], sentence: Sentence) -> Quote | None:
        """``Miroslav Jenca said this.`` / ``Об этом заявил Лавров.`` — the sentences before are the quote.

        They are the sentences before it in its paragraph, or the whole previous paragraph when it opens one.
        """
        text, lex = self.text, self.lex
        after = _trim(text, cue[1], sentence.end, " \t\n", "")[0]
        found = lex.back_after.match(text, after) if lex.back_after is not None else None
        pointing = found is not None and bool(_PUNCT_ONLY.match(text, found.end(), sentence.end))
        if not pointing and lex.back_before is not None:
            pointing = lex.back_before.search(text, sentence.start, cue[0]) is not None
        speaker = self.speakers.speaker(sentence.start, sentence.end, cue) if pointing else None
        if speaker is None:
            return None
        paragraph = self._paragraph(sentence.start)
        bounds = [0, *(b + 1 for b in self.breaks), len(text)]
        begin = bounds[paragraph]
        if not text[begin : sentence.start].strip() and paragraph > 0:
            begin, stop = bounds[paragraph - 1], self.breaks[paragraph - 1]
        else:
            stop = sentence.start
        first, last = bisect_left(self.starts, begin), bisect_left(self.starts, stop) - 1
        if first > last:
            return None
        start, end = _trim(
            text, self.sentences[first].start, self.sentences[last].end, _SEPARATORS, _CONTENT_END
        )
        return Quote(speaker, text[start:end], start, end, False, text[cue[0] : cue[1]])

    def quotes(self) -> tuple[Quote, ...]:
        """Direct quotations first, then reported speech that overlaps none of those already taken."""
        accepted: list[Quote] = []
        starts: list[int] = []
        ends: list[int] = []
        for quote in [*self._direct(), *self._according(), *self._reported()]:
            i = bisect_left(starts, quote.start)
            if (i < len(starts) and starts[i] < quote.end) or (i and ends[i - 1] > quote.start):
                continue
            accepted.append(quote)
            starts.insert(i, quote.start)
            ends.insert(i, quote.end)
        return tuple(sorted(accepted, key=lambda q: q.start))
