"""The web app: server-rendered pages, the JSON API under ``/api/v1`` and Atom feeds, over one store.

``create_app(store, settings)`` builds the Starlette application; ``newswatch serve`` runs it with
uvicorn. Handlers read ``request.app.state.store`` and hold no logic of their own beyond shaping what
the store and :mod:`newswatch.views` return.
"""

from __future__ import annotations

from newswatch.web.app import create_app

__all__ = ["create_app"]
