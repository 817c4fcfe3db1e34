"""newswatch: a self-hosted, multilingual news feed and monitoring service."""

from newswatch.model import Actor, Article, Event, Link, Mention, Quote, RawInput, Translation

__all__ = ["Actor", "Article", "Event", "Link", "Mention", "Quote", "RawInput", "Translation"]
__version__ = "0.1.0"
