"""One request on the wire: send it, read its body under the caps, and record it.

Every request sent lands in the fetch result's `trail`, as the :class:`Exchange` it
completed or the :class:`FailedRequest` it ended as, so the archive can show every answer
the site gave (or did not give), retries included. The host's circuit breaker hears of
each request too: response headers mean the host is up; none at all count against it.
"""

from __future__ import annotations

import asyncio
import functools
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from crawler._breaker import HostBreaker
from crawler._decode import AttemptFailure, BodyDecoder
from crawler._exchange import Exchange, FailedRequest, FetchResult
from crawler._models import Reason

__all__ = ["Response", "Sender", "host_down", "origin", "transport_failure"]


@dataclass
class Response:
    """One hop's response read whole: the exchange as received and its decoded body."""

    exchange: Exchange
    decoded: bytes


@functools.lru_cache(maxsize=1024)
def origin(url: str) -> tuple[str, int]:
    """The host (as the connection pool names it: ASCII, no brackets) and port of `url`.

    Cached: a request asks three times (breaker, scope pins, send), and httpx's URL
    parsing with the scope check's was about a tenth of the fetch's CPU a page (bench.crawl)."""
    parsed = httpx.URL(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return parsed.raw_host.decode("ascii").lower(), port


def host_down(host: str) -> AttemptFailure:
    """The failure of a request not sent because `host`'s breaker is open."""
    return AttemptFailure(Reason.HOST_DOWN, retry=False,
                          detail=f"{host} gave no response to several requests in a row")


def transport_failure(exc: TimeoutError | httpx.TransportError) -> AttemptFailure:
    """The failure a timeout or transport error stands for (each is worth a retry)."""
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return AttemptFailure(Reason.TIMEOUT, retry=True, detail=type(exc).__name__)
    if isinstance(exc, httpx.RemoteProtocolError):
        msg = str(exc).lower()
        if "incomplete" in msg or "complete message" in msg or "less data" in msg:
            return AttemptFailure(Reason.TRUNCATED_BODY, retry=True, detail=str(exc))
        return AttemptFailure(Reason.CONNECTION_RESET, retry=True, detail=str(exc))
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return AttemptFailure(Reason.CONNECTION_RESET, retry=True, detail=str(exc))
    return AttemptFailure(Reason.CONNECTION_ERROR, retry=True, detail=str(exc))


def _pairs(raw: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw]


@dataclass
class Sender:
    """Sends single requests for one fetcher, with its caps and its breaker."""

    attempt_timeout: float
    max_body_bytes: int
    breaker: HostBreaker

    async def send_once(self, client: httpx.AsyncClient, url: str, headers: dict[str, str],
                        result: FetchResult) -> Response:
        """Send one GET (the caller holds a politeness slot) and read its body; the
        request joins `result.trail` whatever happens. Raises AttemptFailure."""
        host, _ = origin(url)
        sent_at = datetime.now(UTC)
        if result._first_sent is None:
            result._first_sent = time.monotonic()
            result.fetched_at = sent_at
        request = client.build_request("GET", url, headers=headers)
        request_headers = _pairs(request.headers.raw)
        result.requests += 1
        response: httpx.Response | None = None
        try:
            async with asyncio.timeout(self.attempt_timeout):
                response = await client.send(request, stream=True)
                self.breaker.success(host)
                try:
                    decoded, raw = await self._read_body(response, result)
                finally:
                    await response.aclose()
        except (TimeoutError, httpx.TransportError, AttemptFailure) as exc:
            failure = exc if isinstance(exc, AttemptFailure) else transport_failure(exc)
            if response is None:  # no answer at all: it counts against the host
                self.breaker.failure(host, url)
            result.trail.append(FailedRequest(
                url=url, request_headers=request_headers, date=sent_at,
                reason=failure.reason, detail=failure.detail,
                status=response.status_code if response is not None else None))
            if failure is exc:
                raise
            raise failure from exc
        exchange = Exchange(
            url=url, request_headers=request_headers, status=response.status_code,
            reason=response.reason_phrase or "", http_version=response.http_version,
            response_headers=_pairs(response.headers.raw), body=raw, date=sent_at,
        )
        result.trail.append(exchange)
        return Response(exchange=exchange, decoded=decoded)

    async def _read_body(
        self, response: httpx.Response, result: FetchResult
    ) -> tuple[bytes, bytes]:
        """Stream the body, aborting past max_body_bytes (wire or decoded).

        Returns (decoded, raw). Bodies of redirects and errors are read too (capped), so
        connections can be reused and the exchange archived whole.
        """
        limit = self.max_body_bytes
        declared = response.headers.get("content-length")
        if declared and declared.strip().isdigit() and int(declared) > limit:
            raise AttemptFailure(Reason.TOO_LARGE, retry=False, detail=f"Content-Length {declared}")
        if response.status_code == 304 or response.request.method == "HEAD":
            return b"", b""
        decoder = BodyDecoder(response.headers.get("content-encoding"), limit)
        raw = bytearray()
        async for chunk in response.aiter_raw():
            raw += chunk
            result.bytes_received += len(chunk)
            if len(raw) > limit:
                raise AttemptFailure(Reason.TOO_LARGE, retry=False,
                                     detail=f"body over {limit} bytes")
            decoder.feed(chunk)
        return decoder.finish(), bytes(raw)
