"""A deep copy of a shipped data file with one cell changed or removed, for the schema tests."""

from __future__ import annotations

import copy
from typing import Any

from kratomsim.datafiles import load_data_file

DELETE = object()


class NewKey(str):
    """A key the shipped file lacks (to add an unknown cell); every other path must name an existing cell."""


def broken_copy(name: str, path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    """``data/<name>`` with the cell at ``path`` set to ``value`` (or deleted for :data:`DELETE`)."""
    content = copy.deepcopy(load_data_file(name))
    holder: Any = content
    for key in path[:-1]:
        holder = holder[key]
    exists = path[-1] in holder if isinstance(holder, dict) else int(path[-1]) < len(holder)
    assert exists != isinstance(path[-1], NewKey), f"{path} does not match data/{name}"
    if value is DELETE:
        del holder[path[-1]]
    else:
        holder[path[-1]] = value
    return content
