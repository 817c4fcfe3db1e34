"""newswatch: a self-hosted, multilingual news feed and monitoring service.

The public API: the records (:mod:`newswatch.model`), the pure pipeline (:func:`process`), the runner that
reads inputs and stores them (:func:`extract_inputs`, :func:`ingest_inputs`), the store (:func:`open_store`),
the settings (:func:`load_settings`) and the error hierarchy's root (:class:`NewswatchError`).
"""

from newswatch.errors import NewswatchError
from newswatch.model import Actor, Article, Event, Link, Mention, Quote, RawInput, Translation
from newswatch.pipeline import process
from newswatch.runner import Failure, IngestReport, extract_inputs, ingest_inputs
from newswatch.settings import Settings, load_settings
from newswatch.store import Store, open_store

__all__ = [
    "Actor",
    "Article",
    "Event",
    "Failure",
    "IngestReport",
    "Link",
    "Mention",
    "NewswatchError",
    "Quote",
    "RawInput",
    "Settings",
    "Store",
    "Translation",
    "extract_inputs",
    "ingest_inputs",
    "load_settings",
    "open_store",
    "process",
]
__version__ = "0.1.0"
