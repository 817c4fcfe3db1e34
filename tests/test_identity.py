from newswatch.identity import reconcile
from newswatch.model import Article


def _a(id: str, guid: str | None = None, text: str = "t") -> Article:
    return Article(id=id, text=text, guid=guid, url=f"https://x.example/{id}", source="x.example")


def test_new_article_is_written() -> None:
    new = _a("1")
    assert reconcile(new, same_id=None, same_guid=None) is new


def test_moved_feed_item_keeps_the_stored_id() -> None:
    stored = _a("old", guid="g-1")
    moved = _a("new", guid="g-1", text="corrected")
    chosen = reconcile(moved, same_id=None, same_guid=stored)
    assert chosen is not None and chosen.id == "old" and chosen.text == "corrected"


def test_feed_item_never_replaces_the_page() -> None:
    page = _a("1", text="the full article")
    item = _a("1", guid="g-1", text="a summary")
    assert reconcile(item, same_id=page, same_guid=None) is None


def test_page_replaces_the_feed_item_and_items_update_items() -> None:
    item = _a("1", guid="g-1", text="a summary")
    page = _a("1", text="the full article")
    assert reconcile(page, same_id=item, same_guid=None) is page
    newer = _a("1", guid="g-1", text="a longer summary")
    assert reconcile(newer, same_id=item, same_guid=item) is newer
