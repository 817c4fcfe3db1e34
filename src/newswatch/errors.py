"""One exception hierarchy for newswatch.

::

    NewswatchError                 anything newswatch reports to the user as ``error: …``
    ├── InputError                 the input itself is unusable
    │   ├── EmptyInputError        nothing, or only whitespace
    │   ├── BinaryInputError       not text (images, archives, executables…)
    │   ├── InputTooLargeError     above the ``input.max_bytes`` setting
    │   ├── MalformedInputError    a feed or document that cannot be parsed
    │   └── HostileInputError      external entities, entity-expansion bombs
    ├── FetchError                 could not get the bytes
    │   ├── BlockedURLError        scheme not http(s), or a private/loopback/link-local address
    │   └── HTTPStatusError        the server answered with an error status
    ├── StoreError                 the database refused or is damaged
    ├── QueryError                 a search query that cannot be understood
    └── ConfigError                a bad setting or option value

The library raises these; the CLI turns each into one ``error: <name>: <message>`` line and a non-zero exit.
"""

from __future__ import annotations

__all__ = [
    "BinaryInputError",
    "BlockedURLError",
    "ConfigError",
    "EmptyInputError",
    "FetchError",
    "HTTPStatusError",
    "HostileInputError",
    "InputError",
    "InputTooLargeError",
    "MalformedInputError",
    "NewswatchError",
    "QueryError",
    "StoreError",
]


class NewswatchError(Exception):
    """Base of every error newswatch reports to the user."""


class InputError(NewswatchError):
    """The input cannot be turned into articles."""


class EmptyInputError(InputError):
    pass


class BinaryInputError(InputError):
    pass


class InputTooLargeError(InputError):
    pass


class MalformedInputError(InputError):
    pass


class HostileInputError(InputError):
    pass


class FetchError(NewswatchError):
    pass


class BlockedURLError(FetchError):
    pass


class HTTPStatusError(FetchError):
    pass


class StoreError(NewswatchError):
    pass


class QueryError(NewswatchError):
    pass


class ConfigError(NewswatchError):
    pass
