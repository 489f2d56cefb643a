"""The vendor registry (``vendors.csv``) and the overrides (``vendor_overrides.csv``).

``vendors.csv`` has one row per vendor: ``vendor`` (canonical name), ``aliases``
(``|``-separated other names, matched case-sensitively in descriptions) and
``slug_prefixes`` (``|``-separated slug token sequences: the vendor's own slug forms and its
product families, e.g. ``llama`` for Meta). Vendor names and aliases are slug keys too.
``vendor_overrides.csv`` maps a slug to its vendor (empty: force unknown).
:mod:`warehouse.vendor` resolves vendors with them.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "OVERRIDES_PATH",
    "REGISTRY_PATH",
    "Registry",
    "files_digest",
    "load_overrides",
    "load_registry",
    "slug_tokens",
]

REGISTRY_PATH = Path(__file__).resolve().parent / "vendors.csv"
OVERRIDES_PATH = Path(__file__).resolve().parent / "vendor_overrides.csv"


@dataclass(frozen=True)
class Registry:
    """The vendor registry: canonical names, description aliases and slug keys."""

    vendors: tuple[str, ...]
    #: text (vendor name or alias) -> canonical vendor, for descriptions
    aliases: Mapping[str, str]
    #: slug token tuple -> canonical vendor
    slug_keys: Mapping[tuple[str, ...], str]
    digest: str = ""
    _by_head: dict[str, list[tuple[str, ...]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        for key in self.slug_keys:
            self._by_head.setdefault(key[0], []).append(key)

    def keys_by_head(self, heads: Iterable[str]) -> list[tuple[str, ...]]:
        """Slug keys whose first token is one of `heads`."""
        return [k for h in heads for k in self._by_head.get(h, ())]

    @property
    def alias_pattern(self) -> str:
        """Regex alternation of every name and alias, longest first."""
        names = sorted(self.aliases, key=len, reverse=True)
        return "|".join(re.escape(n) for n in names)


def _split(cell: str | None) -> list[str]:
    return [p.strip() for p in (cell or "").split("|") if p.strip()]


def slug_tokens(text: str) -> tuple[str, ...]:
    """Lowercase alphanumeric tokens of a slug or a display name (``Mistral-Next 22B`` →
    ``('mistral', 'next', '22b')``)."""
    return tuple(t for t in re.split(r"[^0-9a-z]+", text.lower()) if t)


@functools.lru_cache(maxsize=8)
def _load_registry_cached(path: str, mtime_ns: int) -> Registry:
    raw = Path(path).read_bytes()
    aliases: dict[str, str] = {}
    keys: dict[tuple[str, ...], str] = {}
    vendors: list[str] = []
    for row in csv.DictReader(raw.decode("utf-8").splitlines()):
        vendor = (row.get("vendor") or "").strip()
        if not vendor:
            continue
        vendors.append(vendor)
        for text in [vendor, *_split(row.get("aliases"))]:
            aliases.setdefault(text, vendor)
            if tokens := slug_tokens(text):
                keys.setdefault(tokens, vendor)
        for prefix in _split(row.get("slug_prefixes")):
            if tokens := slug_tokens(prefix):
                keys.setdefault(tokens, vendor)
    return Registry(
        vendors=tuple(vendors),
        aliases=aliases,
        slug_keys=keys,
        digest=hashlib.sha1(raw).hexdigest(),
    )


def load_registry(path: str | Path | None = None) -> Registry:
    """Read ``vendors.csv`` (default: the one beside this module). Cached per file version."""
    p = Path(path) if path is not None else REGISTRY_PATH
    return _load_registry_cached(str(p.resolve()), p.stat().st_mtime_ns)


def load_overrides(path: str | Path | None = None) -> dict[str, str | None]:
    """Read ``vendor_overrides.csv``: slug -> vendor (None = force unknown). A missing
    file means no overrides."""
    p = Path(path) if path is not None else OVERRIDES_PATH
    if not p.exists():
        return {}
    out: dict[str, str | None] = {}
    with p.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(line for line in fh if not line.lstrip().startswith("#")):
            slug = (row.get("slug") or "").strip()
            if slug:
                out[slug] = (row.get("vendor") or "").strip() or None
    return out


def files_digest(
    registry_path: str | Path | None = None, overrides_path: str | Path | None = None
) -> str:
    """A digest of the registry and overrides files (changes when a user edits either)."""
    h = hashlib.sha1()
    for p in (
        Path(registry_path) if registry_path else REGISTRY_PATH,
        Path(overrides_path) if overrides_path else OVERRIDES_PATH,
    ):
        h.update(p.read_bytes() if p.exists() else b"-")
    return h.hexdigest()
