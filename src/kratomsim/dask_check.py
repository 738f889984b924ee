"""Check a ``--dask`` scheduler address before any Dask client exists.

A ``distributed.Client`` pointed at a malformed or unreachable address waits for its own timeout,
then prints a traceback from its finaliser. Reading the address and shaking hands with the scheduler
here, with a short timeout, turns both into one line (exit status 2) before the population starts.
"""

from __future__ import annotations

import asyncio
import re

from kratomsim.errors import InputError
from kratomsim.limits import DASK_CONNECT_S

SCHEMES = ("tcp", "tls")
ACCEPTED = "tcp://HOST:PORT or tls://HOST:PORT, e.g. tcp://127.0.0.1:8786"
_ADDRESS = re.compile(r"(?:(?P<scheme>[a-z]+)://)?(?P<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(?P<port>\d{1,5})")


def parse_dask_address(address: str) -> str:
    """The address with its scheme ('host:8786' -> 'tcp://host:8786'); InputError when malformed."""
    text = (address or "").strip()
    match = _ADDRESS.fullmatch(text)
    if not match:
        raise InputError(f"--dask address {address!r} is malformed; accepted: {ACCEPTED}")
    scheme = match.group("scheme") or "tcp"
    if scheme not in SCHEMES:
        raise InputError(f"--dask address {address!r} uses the scheme {scheme!r}; accepted: {ACCEPTED}")
    port = int(match.group("port"))
    if not 1 <= port <= 65535:
        raise InputError(f"--dask port {port} in {address!r} is outside 1 to 65535; accepted: {ACCEPTED}")
    return f"{scheme}://{match.group('host')}:{port}"


def check_dask_address(address: str, timeout_s: float = DASK_CONNECT_S) -> str:
    """A well-formed address whose scheduler answered a handshake within ``timeout_s`` seconds."""
    full = parse_dask_address(address)
    try:
        asyncio.run(_handshake(full, timeout_s))
    except Exception as err:
        reason = " ".join(str(err).split())[:160] or type(err).__name__
        raise InputError(
            f"cannot reach a Dask scheduler at {address!r} within {timeout_s:g} s ({reason}); "
            "start one (dask scheduler) or leave out --dask"
        ) from None
    return full


async def _handshake(address: str, timeout_s: float) -> None:
    from distributed.comm import connect

    comm = await connect(address, timeout=timeout_s)
    await comm.close()
