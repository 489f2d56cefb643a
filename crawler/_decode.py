"""Reading a response body safely: the failure of an attempt, and a capped decoder.

A body is decoded while it streams in (gzip or deflate Content-Encoding), and the decoder
refuses to produce more than a limit, so a decompression bomb fails fast instead of
filling memory. Every way an attempt can end without a usable response is an
:class:`AttemptFailure` carrying the fetch row's reason and whether a retry may help.
"""

from __future__ import annotations

import zlib

from crawler._models import Reason

__all__ = ["AttemptFailure", "BodyDecoder"]


class AttemptFailure(Exception):
    """An attempt that ended without a usable response; `retry`: may another try help?"""

    def __init__(self, reason: Reason, *, retry: bool, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else str(reason))
        self.reason = reason
        self.retry = retry
        self.detail = detail


class BodyDecoder:
    """Incremental Content-Encoding decoder that refuses to produce more than `limit`
    bytes (a decompression bomb fails fast instead of filling memory)."""

    def __init__(self, encoding: str | None, limit: int) -> None:
        enc = (encoding or "identity").strip().lower()
        self._z: zlib._Decompress | None
        if enc in ("", "identity"):
            self._z = None
        elif enc in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(wbits=31)
        elif enc == "deflate":
            self._z = zlib.decompressobj(wbits=47)  # zlib or gzip wrapper, auto-detected
        else:
            raise AttemptFailure(Reason.BAD_CONTENT_ENCODING, retry=False, detail=enc)
        self.limit = limit
        self.out = bytearray()

    def feed(self, data: bytes) -> None:
        """Decode one chunk as received; raises AttemptFailure past the limit."""
        if self._z is None:
            self.out += data
        else:
            try:
                while data:
                    room = self.limit - len(self.out) + 1
                    self.out += self._z.decompress(data, room)
                    if len(self.out) > self.limit:
                        break
                    data = self._z.unconsumed_tail
            except zlib.error as exc:
                raise AttemptFailure(Reason.BAD_CONTENT_ENCODING, retry=False,
                                     detail=str(exc)) from exc
        if len(self.out) > self.limit:
            raise AttemptFailure(Reason.TOO_LARGE, retry=False,
                                 detail=f"decoded body over {self.limit} bytes")

    def finish(self) -> bytes:
        """The whole decoded body; a compressed stream cut short is a truncated body."""
        if self._z is not None:
            try:
                self.out += self._z.flush()
            except zlib.error as exc:
                raise AttemptFailure(Reason.TRUNCATED_BODY, retry=True, detail=str(exc)) from exc
            if not self._z.eof:
                raise AttemptFailure(Reason.TRUNCATED_BODY, retry=True,
                                     detail="compressed stream cut short")
        return bytes(self.out)
