"""A fake httpx transport for tests that need a response the replica cannot give."""

from __future__ import annotations

from collections.abc import Callable

import httpx


class Streamed(httpx.AsyncBaseTransport):
    """Answers from a function, streaming the body (httpx.MockTransport pre-reads it,
    which hides what a streaming reader does)."""

    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        self.handler = handler

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = self.handler(request)
        return httpx.Response(response.status_code, headers=response.headers.raw,
                              stream=httpx.ByteStream(response.content))
