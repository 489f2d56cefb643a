"""Bodies read back from WARCs are decoded in a stream and never past the decode cap."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import brotli
import pytest
from warcio.statusandheaders import StatusAndHeaders

from archive import (
    MAX_BODY_BYTES,
    BodyOverCap,
    RecordError,
    iter_payloads,
    read_record_payload,
    scan_payloads,
)
from archive._decode import decode_body

PAGE = b"<html><body>" + b"<p>ship or skip</p>" * 2000 + b"</body></html>"
URL = "https://shiporskip.io/compare/a-vs-b"


def headers(*pairs: tuple[str, str]) -> StatusAndHeaders:
    return StatusAndHeaders("200 OK", [("Content-Type", "text/html"), *pairs],
                            protocol="HTTP/1.1")


def chunked(data: bytes, size: int = 1000) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(data[i : i + size]), data[i : i + size])
             for i in range(0, len(data), size)]
    return b"".join(parts) + b"0\r\n\r\n"


@pytest.mark.parametrize(("coding", "encode"), [
    ("gzip", gzip.compress),
    ("x-gzip", gzip.compress),
    ("deflate", zlib.compress),  # the zlib wrapper, as the RFC says
    ("deflate", lambda b: _raw_deflate(b)),  # raw deflate, as some servers send it
    ("br", brotli.compress),
    ("identity", lambda b: b),
])
def test_every_coding_decodes(coding: str, encode) -> None:
    assert decode_body(encode(PAGE), headers(("Content-Encoding", coding))) == PAGE


def _raw_deflate(data: bytes) -> bytes:
    c = zlib.compressobj(wbits=-15)
    return c.compress(data) + c.flush()


def test_gzip_members_back_to_back_and_chunking_left_in() -> None:
    body = gzip.compress(PAGE[:5000]) + gzip.compress(PAGE[5000:])
    assert decode_body(body, headers(("Content-Encoding", "gzip"))) == PAGE
    both = headers(("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked"))
    assert decode_body(chunked(gzip.compress(PAGE)), both) == PAGE


def test_not_really_encoded_or_unknown_coding_keeps_the_bytes() -> None:
    assert decode_body(PAGE, headers(("Content-Encoding", "gzip"))) == PAGE
    assert decode_body(b"\x00zz", headers(("Content-Encoding", "compress"))) == b"\x00zz"


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
def test_a_bomb_stops_at_the_cap(coding: str) -> None:
    """24 MB of zeros: the decoder stops one byte past 8 MB; with a higher cap, all of it."""
    bomb = b"\0" * (24 << 20)
    encode = {"gzip": gzip.compress, "deflate": zlib.compress,
              "br": lambda b: brotli.compress(b, quality=1)}[coding]
    body = encode(bomb)
    with pytest.raises(BodyOverCap, match=r"^decoded body over 8 MB cap$"):
        decode_body(body, headers(("Content-Encoding", coding)))
    assert decode_body(body, headers(("Content-Encoding", coding)), limit=32 << 20) == bomb


def test_an_unencoded_body_over_the_cap_is_refused_too() -> None:
    with pytest.raises(BodyOverCap, match=r"^body over 8 MB cap$"):
        decode_body(b"x" * (MAX_BODY_BYTES + 1), headers())
    assert len(decode_body(b"x" * MAX_BODY_BYTES, headers())) == MAX_BODY_BYTES


def test_a_bomb_record_is_an_error_and_the_next_record_reads(make_warc, tmp_path: Path) -> None:
    bomb = gzip.compress(b"\0" * (100 << 20), compresslevel=9)
    path = make_warc("bomb.warc.gz", [
        {"type": "response", "url": URL, "body": bomb,
         "headers": [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]},
        {"type": "response", "url": URL + "-2", "body": PAGE, "gzip": True},
    ])
    assert path.stat().st_size < 20_000  # a few KB on disk
    items = list(scan_payloads(path))
    assert [type(i) for i in items][0] is RecordError
    err = items[0]
    assert isinstance(err, RecordError)
    assert (err.reason, err.offset) == ("decoded body over 8 MB cap", 0)
    assert str(err) == f"{path}@{err.offset}: decoded body over 8 MB cap"
    assert [p.payload for p in iter_payloads(path, errors=[])] == [PAGE]
    with pytest.raises(BodyOverCap):
        read_record_payload(path, err.offset)
