"""A TCP proxy between the app and its database that a test can kill or black-hole.

`kill()` stops listening and resets every connection (the database's host went away);
`black_hole()` keeps every connection open, accepts new ones, and forwards nothing (a
partition: the packets are lost, nobody says so); `restore()` forwards again, on the same
port, dropping the connections that lived through the outage.
"""

from __future__ import annotations

import asyncio
import contextlib

CHUNK = 65_536


class TcpProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self.forwarding = True
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    def kill(self) -> None:
        """Synchronous, so that a test can call it from inside a SQLAlchemy event."""
        self.forwarding = True
        if self._server is not None:
            self._server.close()
            self._server = None
        self._drop_connections()

    def black_hole(self) -> None:
        self.forwarding = False

    async def restore(self) -> None:
        self._drop_connections()
        self.forwarding = True
        if self._server is None:
            await self.start()

    async def stop(self) -> None:
        self.kill()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task

    def _drop_connections(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    def _track(self, coroutine: object) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coroutine)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        if not self.forwarding:
            await self._swallow(reader)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.transport.abort()
            return
        self._writers.add(up_writer)
        self._track(self._pump(up_reader, writer))
        await self._pump(reader, up_writer)

    async def _swallow(self, reader: asyncio.StreamReader) -> None:
        with contextlib.suppress(OSError):
            while await reader.read(CHUNK):
                pass

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await reader.read(CHUNK):
                if self.forwarding:
                    writer.write(data)
                    await writer.drain()
        if self.forwarding:
            writer.transport.abort()
