"""The HTTP protocol casework is served with: httptools' (uvicorn's own), with Nagle's algorithm off on every
connection.

asyncio turns it off only on sockets it knows to be TCP; the sockets of uvicorn's workers (inherited from the
supervisor) report protocol 0, so with two workers every small answer waited for the client's delayed ACK
(~40 ms: 23 requests a second on one connection instead of ~6,000)."""

import asyncio
import socket
from typing import cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_TCP_FAMILIES = (socket.AF_INET, socket.AF_INET6)


class HttpProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in _TCP_FAMILIES:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # A server's connections are stream transports, as httptools' protocol expects.
        super().connection_made(cast(asyncio.Transport, transport))
