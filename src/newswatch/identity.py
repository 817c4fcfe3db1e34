"""Which stored article a new record is, and whether it should replace it: pure decisions.

The runner looks up what the store already has and asks :func:`reconcile` what to write; nothing here
does I/O. Two rules on top of the id (see :func:`newswatch.model.article_id`):

- a feed item whose address changed but whose guid did not is the same article: it takes the stored
  item's id, so it is updated in place instead of stored twice;
- a feed item never replaces the stored article page of the same address, which is the fuller source
  (a feed often carries only a summary); the page replaces a feed item.
"""

from __future__ import annotations

from dataclasses import replace

from newswatch.model import Article

__all__ = ["reconcile"]


def _from_feed(article: Article) -> bool:
    return article.guid is not None


def reconcile(new: Article, *, same_id: Article | None, same_guid: Article | None) -> Article | None:
    """The record to store for ``new``, or None to keep what is stored.

    ``same_id`` is the stored article with ``new``'s id; ``same_guid`` the stored feed item with its guid
    and source (both None when there is none).
    """
    if same_guid is not None and same_guid.id != new.id and same_id is None:
        return replace(new, id=same_guid.id)
    if same_id is not None and _from_feed(new) and not _from_feed(same_id):
        return None
    return new
