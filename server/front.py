"""The front door of ``dipkg serve``: an asyncio HTTP/1.1 server (h11) in front of the
gunicorn workers, so that slow or hostile clients cost a coroutine, never a request thread.

A request reaches gunicorn (over a private Unix socket) only when its head and its body are
complete; its response is read from gunicorn as fast as gunicorn writes it (spooled to a
temporary file past 1 MiB) and written to the client at the client's own pace. The door
enforces, per connection:

- a deadline for the request head (``header_timeout``; a client dribbling a header byte every
  few seconds is cut off), and for the body (``body_timeout``);
- the body cap (``max_request_bytes``): 413 for a declared length over it and for a chunked
  body that grows past it (never a silently cut body);
- at most ``client_connections`` open connections per client address (503 beyond);
- an idle limit between requests (``keepalive_timeout``) and a send limit (``send_timeout``: a
  client that takes nothing for that long is dropped);

and writes the access log, with secrets in query strings (``token=``, ``key=``, ...) redacted.
Errors it answers itself are RFC 9457 problem+json, like the application's.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import signal
import socket
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO
from urllib.parse import parse_qsl, quote, urlencode

import h11

_HOP_BY_HOP = {
    b"connection",
    b"keep-alive",
    b"proxy-connection",
    b"te",
    b"trailer",
    b"transfer-encoding",
    b"upgrade",
    b"x-forwarded-for",
    b"x-forwarded-proto",
}
_SECRET = re.compile(r"token|secret|password|passwd|key|auth", re.I)
_CHUNK = 1 << 16
_SPOOL = 1 << 20


@dataclass(frozen=True, slots=True)
class Limits:
    """The door's limits (from the settings of the same names)."""

    header_timeout: float = 10.0
    body_timeout: float = 30.0
    keepalive_timeout: float = 5.0
    send_timeout: float = 60.0
    upstream_timeout: float = 60.0
    max_body: int = 1_000_000
    client_connections: int = 16


class RefusedError(Exception):
    """Raised inside the door: it answers the request itself with a problem, then closes
    the connection."""

    def __init__(self, status: int, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.kind, self.detail = status, kind, detail


class ClosedError(Exception):
    """Raised inside the door: the client went away or was too slow: close without a word."""


class _Spool:
    """A response on its way: its head, and its body in a file (memory up to 1 MiB) that the
    upstream side appends to and the client side reads from at its own pace."""

    def __init__(self) -> None:
        self.file = tempfile.SpooledTemporaryFile(max_size=_SPOOL)  # noqa: SIM115 - close()
        self.written = 0
        self.done = False
        self.failed = False
        self.response: h11.Response | None = None
        self.changed = asyncio.Condition()

    async def set_head(self, response: h11.Response) -> None:
        async with self.changed:
            self.response = response
            self.changed.notify_all()

    async def append(self, data: bytes) -> None:
        async with self.changed:
            self.file.seek(0, 2)
            self.file.write(data)
            self.written += len(data)
            self.changed.notify_all()

    async def finish(self, failed: bool = False) -> None:
        async with self.changed:
            self.done, self.failed = True, failed
            self.changed.notify_all()

    async def head(self) -> h11.Response | None:
        """The response head, or None if gunicorn ended without one."""
        async with self.changed:
            await self.changed.wait_for(lambda: self.response is not None or self.done)
        return self.response

    async def read(self, offset: int) -> bytes | None:
        """Body bytes from ``offset`` once there are some; None at the end."""
        async with self.changed:
            await self.changed.wait_for(lambda: self.written > offset or self.done)
        if self.written <= offset:
            return None
        self.file.seek(offset)
        return self.file.read(min(self.written - offset, _CHUNK))

    def close(self) -> None:
        self.file.close()


class FrontDoor:
    """Serves clients on ``listener`` and hands complete requests to ``upstream`` (a Unix
    socket path where gunicorn listens)."""

    def __init__(self, upstream: str, limits: Limits, log: IO[str] = sys.stdout) -> None:
        self.upstream = upstream
        self.limits = limits
        self.log = log
        self.clients: Counter[str] = Counter()

    async def serve(self, listener: socket.socket) -> None:
        """Accept connections once gunicorn answers on the Unix socket, until cancelled."""
        server = await asyncio.start_server(self._connection, sock=listener, start_serving=False)
        await self._wait_for_upstream()
        async with server:
            await server.serve_forever()

    async def _wait_for_upstream(self) -> None:
        deadline = time.monotonic() + 120
        while True:
            try:
                _, writer = await asyncio.open_unix_connection(self.upstream)
                writer.close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.05)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        client = str(peer[0]) if isinstance(peer, tuple) else "local"
        self.clients[client] += 1
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=65536)
        try:
            if self.clients[client] > self.limits.client_connections:
                raise RefusedError(
                    503,
                    "too-many-connections",
                    f"This client has more than {self.limits.client_connections} connections "
                    "open; close some and retry.",
                )
            first = True
            while True:
                request = await self._head(conn, reader, first)
                if request is None:
                    return
                first = False
                started = time.monotonic()
                body = await self._body(conn, reader, writer, request)
                status, size = await self._forward(conn, writer, request, body, client)
                self._access(client, request, status, size, started)
                if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                    return
                conn.start_next_cycle()
        except RefusedError as refused:
            self._refuse(conn, writer, refused)
            await self._linger(reader, writer)
        except h11.RemoteProtocolError as exc:
            malformed = RefusedError(400, "bad-request", f"Malformed request: {exc}")
            self._refuse(conn, writer, malformed)
        except (TimeoutError, ClosedError, ConnectionError):
            pass
        finally:
            self.clients[client] -= 1
            if not self.clients[client]:
                del self.clients[client]
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    async def _head(
        self, conn: h11.Connection, reader: asyncio.StreamReader, first: bool
    ) -> h11.Request | None:
        """The next request's head, within the idle limit for its first byte and the header
        deadline for the rest; None when the client closed the connection between requests."""
        idle = self.limits.header_timeout if first else self.limits.keepalive_timeout
        deadline: float | None = None
        while True:
            event = conn.next_event()
            if isinstance(event, h11.Request):
                return event
            if event is h11.PAUSED or isinstance(event, h11.ConnectionClosed):
                return None
            wait = idle if deadline is None else deadline - time.monotonic()
            if wait <= 0:
                raise RefusedError(408, "request-timeout", "The request head took too long.")
            try:
                data = await asyncio.wait_for(reader.read(_CHUNK), wait)
            except TimeoutError:
                if deadline is None:
                    raise ClosedError from None  # an idle connection: just close it
                raise RefusedError(
                    408,
                    "request-timeout",
                    f"The request head was not complete within {self.limits.header_timeout:g} s.",
                ) from None
            if deadline is None:
                deadline = time.monotonic() + self.limits.header_timeout
            conn.receive_data(data)

    async def _body(
        self,
        conn: h11.Connection,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        request: h11.Request,
    ) -> bytes:
        """The whole body, within the body deadline and the cap."""
        declared = _header(request.headers, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limits.max_body:
            raise RefusedError(413, "request-too-large", self._too_large())
        if conn.they_are_waiting_for_100_continue:
            writer.write(conn.send(h11.InformationalResponse(status_code=100, headers=[])))
        deadline = time.monotonic() + self.limits.body_timeout
        parts: list[bytes] = []
        size = 0
        while True:
            event = conn.next_event()
            if isinstance(event, h11.Data):
                size += len(event.data)
                if size > self.limits.max_body:
                    raise RefusedError(413, "request-too-large", self._too_large())
                parts.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                return b"".join(parts)
            elif isinstance(event, h11.ConnectionClosed):
                raise ClosedError
            elif event is h11.NEED_DATA:
                wait = deadline - time.monotonic()
                try:
                    data = await asyncio.wait_for(reader.read(_CHUNK), max(wait, 0))
                except TimeoutError:
                    raise RefusedError(
                        408,
                        "request-timeout",
                        f"The request body was not complete within {self.limits.body_timeout:g} s.",
                    ) from None
                if not data:
                    raise ClosedError
                conn.receive_data(data)

    async def _linger(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """After an answer to a request whose body was not read, take (and drop) what the
        client still sends for a moment before closing: a close with unread data resets the
        connection, and the client would lose the answer (RFC 9112 9.6)."""
        with contextlib.suppress(Exception):
            await asyncio.wait_for(writer.drain(), 2)
            if writer.can_write_eof():
                writer.write_eof()
            deadline = time.monotonic() + 2
            taken = 0
            while time.monotonic() < deadline and taken < 64 * _CHUNK:
                data = await asyncio.wait_for(reader.read(_CHUNK), deadline - time.monotonic())
                if not data:
                    return
                taken += len(data)

    def _too_large(self) -> str:
        return f"The request body is larger than {self.limits.max_body} bytes."

    async def _forward(
        self,
        conn: h11.Connection,
        writer: asyncio.StreamWriter,
        request: h11.Request,
        body: bytes,
        client: str,
    ) -> tuple[int, int]:
        """Send the request to gunicorn, and its response to the client; (status, bytes)."""
        try:
            up_reader, up_writer = await asyncio.open_unix_connection(self.upstream)
        except OSError:
            raise RefusedError(503, "unavailable", "The server is starting or stopping.") from None
        upstream = h11.Connection(h11.CLIENT)
        headers = [(k, v) for k, v in request.headers if k.lower() not in _HOP_BY_HOP]
        headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
        headers += [
            (b"Content-Length", str(len(body)).encode()),
            (b"X-Forwarded-For", client.encode()),
            (b"X-Forwarded-Proto", b"http"),
            (b"Connection", b"close"),
        ]
        up_writer.write(
            upstream.send(
                h11.Request(method=request.method, target=request.target, headers=headers)
            )
            + upstream.send(h11.Data(data=body))
            + upstream.send(h11.EndOfMessage())
        )
        response = _Spool()
        pump = asyncio.create_task(self._pump(upstream, up_reader, response))
        try:
            head = await response.head()
            if head is None:
                raise RefusedError(502, "bad-gateway", "The application did not answer.")
            headers = [(k, v) for k, v in head.headers if k.lower() not in _HOP_BY_HOP]
            writer.write(
                conn.send(
                    h11.Response(status_code=head.status_code, headers=headers, reason=head.reason)
                )
            )
            sent = 0
            while (chunk := await response.read(sent)) is not None:
                sent += len(chunk)
                writer.write(conn.send(h11.Data(data=chunk)))
                await self._drain(writer)
            if response.failed:
                raise ClosedError  # cut upstream: the client must not take it as complete
            writer.write(conn.send(h11.EndOfMessage()))
            await self._drain(writer)
            return head.status_code, sent
        finally:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pump
            response.close()
            up_writer.close()

    async def _pump(
        self, upstream: h11.Connection, reader: asyncio.StreamReader, response: _Spool
    ) -> None:
        """Read gunicorn's response as fast as it comes, into ``response``."""
        try:
            while True:
                event = upstream.next_event()
                if event is h11.NEED_DATA:
                    data = await asyncio.wait_for(reader.read(_CHUNK), self.limits.upstream_timeout)
                    upstream.receive_data(data)
                elif isinstance(event, h11.Response):
                    await response.set_head(event)
                elif isinstance(event, h11.Data):
                    await response.append(bytes(event.data))
                elif isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
                    await response.finish()
                    return
        except (TimeoutError, OSError, h11.ProtocolError):
            await response.finish(failed=True)

    async def _drain(self, writer: asyncio.StreamWriter) -> None:
        try:
            await asyncio.wait_for(writer.drain(), self.limits.send_timeout)
        except TimeoutError:
            raise ClosedError from None

    def _refuse(
        self, conn: h11.Connection, writer: asyncio.StreamWriter, refused: RefusedError
    ) -> None:
        """Answer with a problem and close, if the connection can still take a response."""
        if conn.our_state not in (h11.IDLE, h11.SEND_RESPONSE, h11.ERROR):
            return
        body = json.dumps(
            {
                "type": f"/problems/{refused.kind}",
                "title": refused.kind.replace("-", " ").capitalize(),
                "status": refused.status,
                "detail": refused.detail,
            }
        ).encode()
        headers = [
            (b"Content-Type", b"application/problem+json"),
            (b"Content-Length", str(len(body)).encode()),
            (b"Connection", b"close"),
        ]
        if refused.status == 503:
            headers.append((b"Retry-After", b"5"))
        try:
            writer.write(conn.send(h11.Response(status_code=refused.status, headers=headers)))
            writer.write(conn.send(h11.Data(data=body)) + conn.send(h11.EndOfMessage()))
        except h11.LocalProtocolError:  # no request head yet: h11 will not answer; we do
            head = f"HTTP/1.1 {refused.status} {refused.kind.replace('-', ' ').title()}\r\n"
            lines = "".join(f"{k.decode()}: {v.decode()}\r\n" for k, v in headers)
            writer.write(f"{head}{lines}\r\n".encode("latin-1") + body)

    def _access(
        self, client: str, request: h11.Request, status: int, size: int, started: float
    ) -> None:
        moment = time.strftime("%d/%b/%Y:%H:%M:%S %z")
        line = (
            f'{client} - - [{moment}] "{request.method.decode()} '
            f'{redact(request.target.decode("latin-1"))} HTTP/{request.http_version.decode()}" '
            f"{status} {size} {time.monotonic() - started:.3f}"
        )
        print(line, file=self.log, flush=True)


def redact(target: str) -> str:
    """A request target with the values of secret-looking query parameters replaced.

    >>> redact("/api/documents?token=s3cret&id=a")
    '/api/documents?token=REDACTED&id=a'
    """
    path, _, query = target.partition("?")
    if not query:
        return target
    pairs = parse_qsl(query, keep_blank_values=True)
    cleaned = [(k, "REDACTED" if _SECRET.search(k) else v) for k, v in pairs]
    return f"{path}?{urlencode(cleaned, quote_via=quote, safe='/:')}"


def _header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1").strip()
    return None


def run_front(listener: socket.socket, upstream: str, limits: Limits) -> None:
    """The door's process: serve until SIGINT or SIGTERM (no traceback either way)."""
    loop = asyncio.new_event_loop()
    door = FrontDoor(upstream, limits)
    task = loop.create_task(door.serve(listener))
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        loop.run_until_complete(task)
    loop.close()
