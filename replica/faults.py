"""Fault profiles: which comparison URLs misbehave, how, and for how many attempts.

A fault is a pure function of (seed, path, attempt number): `FaultPlan.assign(path)` picks at
most one profile per URL (hash of seed and path), and `Fault.active(attempt)` says whether the
n-th request for that path (0-based) still fails. Recoverable faults heal after one or two
attempts; permanent ones never do.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

PROFILES: dict[str, str] = {
    "5xx": "500/502/503; most heal after 1-2 attempts, some 500s stay",
    "429": "429 (or 503) with Retry-After: 1 for 1-2 attempts, then 200",
    "slow": "the response starts only after --slow-delay seconds (default 5); most heal",
    "reset": "headers and half the body, then a TCP reset (SO_LINGER 0); most heal",
    "truncated": "Content-Length larger than the body sent, then close; most heal",
    "oversized": "a 20 MB body (Content-Length or chunked), every time",
    "redirect-loop": "302 to a URL that redirects back, forever",
    "redirect-offsite": "301 to another host (example.invalid), every time",
    "redirect-private": "302 to 169.254.169.254 / 10.0.0.1 — a client must refuse to follow",
    "malformed": "200 text/html with broken HTML (unclosed tags, garbage bytes)",
    "content-type": "200 with an application/pdf or image/png body",
}
PROFILE_HELP = "\n".join(f"  {name:<17} {text}" for name, text in PROFILES.items())


def parse_profiles(spec: str | None) -> tuple[str, ...]:
    """`"5xx,slow"` → ("5xx", "slow"); `"all"` → every profile; None/"" → ()."""
    if not spec:
        return ()
    names: list[str] = []
    for part in spec.split(","):
        part = part.strip().lower()
        if not part or part == "none":
            continue
        if part == "all":
            names.extend(PROFILES)
        elif part in PROFILES:
            names.append(part)
        else:
            raise ValueError(f"unknown fault profile {part!r}; choose from "
                             f"{', '.join(PROFILES)}, all")
    return tuple(dict.fromkeys(names))


def _unit(*parts: object) -> float:
    h = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(h, "big") / 2**64


@dataclass(frozen=True)
class Fault:
    """How one URL misbehaves."""

    profile: str
    failures: int | None  # attempts that fail before it heals; None = permanent
    status: int = 200
    variant: str = ""
    location: str = ""
    retry_after: int | None = None

    @property
    def permanent(self) -> bool:
        return self.failures is None

    def active(self, attempt: int) -> bool:
        """Whether the request with this 0-based attempt number gets the fault."""
        return self.failures is None or attempt < self.failures


class FaultPlan:
    """Assigns faults to comparison paths, deterministically from the seed."""

    def __init__(self, profiles: tuple[str, ...], seed: int, rate: float | None = None) -> None:
        self.profiles = profiles
        self.seed = seed
        if rate is None:
            rate = 0.15 if len(profiles) <= 3 else 0.3
        self.rate = rate if profiles else 0.0

    def assign(self, path: str) -> Fault | None:
        """The fault a comparison path carries (whatever the attempt), or None."""
        if not self.profiles or _unit(self.seed, "fault", path) >= self.rate:
            return None
        profile = self.profiles[int(_unit(self.seed, "profile", path) * len(self.profiles))]
        u = _unit(self.seed, "detail", path)
        v = _unit(self.seed, "variant", path)
        heals = 1 + int(v * 2)  # 1 or 2 failing attempts
        if profile == "5xx":
            if u < 0.7:
                return Fault(profile, heals, status=(503, 502, 500)[int(v * 3)])
            return Fault(profile, None, status=500)
        if profile == "429":
            if u < 0.7:
                return Fault(profile, heals, status=429, retry_after=1)
            return Fault(profile, heals, status=503, retry_after=1)
        if profile in ("slow", "reset", "truncated"):
            return Fault(profile, heals if u < 0.6 else None)
        if profile == "oversized":
            return Fault(profile, None, variant="chunked" if u < 0.5 else "length")
        if profile == "redirect-loop":
            if u < 0.5:
                return Fault(profile, None, status=302, variant="slash", location=path + "/")
            return Fault(profile, None, status=302, variant="hop",
                         location="/r/" + path.removeprefix("/compare/"))
        if profile == "redirect-offsite":
            host = "http://example.invalid" if u < 0.5 else "https://shiporskip.example.net"
            return Fault(profile, None, status=301, location=host + path)
        if profile == "redirect-private":
            target = ("http://169.254.169.254/latest/meta-data/iam/security-credentials/"
                      if u < 0.5 else "http://10.0.0.1" + path)
            return Fault(profile, None, status=302, location=target)
        if profile == "malformed":
            return Fault(profile, None)
        if profile == "content-type":
            return Fault(profile, None, variant="pdf" if u < 0.5 else "png")
        raise AssertionError(profile)


def malformed_html(body: bytes, path: str) -> bytes:
    """Break a page: cut it mid-tag, leave tags open, add garbage and invalid UTF-8."""
    cut = int(len(body) * (0.35 + 0.3 * _unit("cut", path)))
    head = body[:cut]
    return (head + b'<div class="unclosed"><span><table><tr><td>\x00\xff\xfe\x81 '
            b"&#xZZ; <<<>>> </p></b></html><html><body><p>\xc3\x28 garbage"
            b"<script>var x = '</div>")


PDF_BODY = (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>"
            b"\n%%EOF\n")
PNG_BODY = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
            b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05"
            b"\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
