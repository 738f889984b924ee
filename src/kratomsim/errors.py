"""User-facing errors.

Every mistake a user can make (a bad dose, an unknown product, malformed YAML) raises
:class:`InputError` with one line that says what was wrong and what is accepted. The CLI turns it
into exit status 2 with no traceback; the web API turns it into HTTP 422 with the same text.
"""

from __future__ import annotations

from collections.abc import Iterable


class InputError(ValueError):
    """Bad input from a user: one line, what was wrong and what is accepted."""

    def __init__(self, message: str) -> None:
        one_line = " ".join(message.split())
        super().__init__(one_line)
        self.message = one_line

    def __str__(self) -> str:
        return self.message


def known_list(names: Iterable[str]) -> str:
    """Format a list of accepted names for an error message."""
    return ", ".join(sorted(names))
