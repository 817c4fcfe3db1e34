"""Understanding: who is named, who said what, who did what to whom — each fact tied to a span of text.

The stages run in order over the clean text of an article:

1. :func:`newswatch.understand.sentences.split_sentences` — sentences with offsets;
2. :func:`newswatch.understand.actors.find_actors` — countries, organisations, people and places from the
   gazetteer and role cues, with every mention;
3. :func:`newswatch.understand.quotes.find_quotes` — direct and indirect quotations and their speakers;
4. :func:`newswatch.understand.events.find_events` — PLOVER/CAMEO coded events between actors.

Every stage is a pure function; language knowledge lives under ``newswatch/data``.
"""
