"""Store look-ups added for identity: by guid within a source (both backends), and opening without creating."""

from pathlib import Path

import pytest

from conftest import StoreFactory
from newswatch.errors import StoreError
from newswatch.model import Article, RawInput
from newswatch.store import open_store

RAW = RawInput(data=b"<rss/>", name="feed.xml")


def test_find_by_guid_is_scoped_by_source(store_factory: StoreFactory) -> None:
    with store_factory() as store:
        store.put(Article(id="a", text="one", guid="g-1", source="w.example"), RAW)
        store.put(Article(id="b", text="two", guid="g-1", source="other.example"), RAW)
        found = store.find_by_guid("g-1", "w.example")
        assert found is not None and found.id == "a"
        assert store.find_by_guid("g-1", None) is None
        assert store.find_by_guid("g-2", "w.example") is None


def test_open_without_create(tmp_path: Path) -> None:  # SQLite only: PostgreSQL never creates a database
    missing = tmp_path / "missing.db"
    with pytest.raises(StoreError, match="no database at"):
        open_store(str(missing), create=False)
    assert not missing.exists()
    open_store(str(missing)).close()
    open_store(str(missing), create=False).close()
