"""casework's HTTP protocol turns Nagle's algorithm off on each connection, also on the sockets uvicorn's workers
serve (bound without naming TCP, so asyncio leaves it on)."""

import asyncio
import socket

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from casework.http_protocol import HttpProtocol


async def _served_connection_nodelay(protocol_class: type[HttpToolsProtocol]) -> int:
    config = uvicorn.Config(app=lambda scope, receive, send: None, loop="asyncio", log_config=None)
    config.load()
    made: list[HttpToolsProtocol] = []

    def protocol() -> HttpToolsProtocol:
        made.append(protocol_class(config=config, server_state=ServerState(), app_state={}))
        return made[-1]

    # As uvicorn binds the socket it hands its workers: the protocol is left unnamed.
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.bind(("127.0.0.1", 0))
    server = await asyncio.get_running_loop().create_server(protocol, sock=listening)
    try:
        _reader, writer = await asyncio.open_connection(*listening.getsockname())
        async with asyncio.timeout(5):
            while not made:
                await asyncio.sleep(0.01)
        served = made[0].transport.get_extra_info("socket")
        nodelay = served.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        writer.close()
        return int(nodelay)
    finally:
        server.close()


def test_connections_on_a_socket_shared_with_workers_have_nagle_off() -> None:
    assert asyncio.run(_served_connection_nodelay(HttpProtocol)) != 0


def test_without_it_asyncio_leaves_nagle_on_for_such_a_socket() -> None:
    assert asyncio.run(_served_connection_nodelay(HttpToolsProtocol)) == 0
