"""Near-duplicate detection without scanning the archive: MinHash signatures + LSH bands.

Each article gets a signature of PERMUTATIONS minimum hashes over its 5-word shingles.
Bands of ROWS consecutive minima are stored in an index; a new article only compares
itself with the articles that share a band, so the cost per article stays flat as the
archive grows.
"""

from __future__ import annotations

import hashlib
import random
import re
import struct
from dataclasses import dataclass

SHINGLE_WORDS = 5
PERMUTATIONS = 64
ROWS = 2  # 32 bands of 2: a pair at Jaccard 0.5 shares a band with probability > 0.999
BANDS = PERMUTATIONS // ROWS
_MASK64 = (1 << 64) - 1
_WORD = re.compile(r"\w+")
# Fixed seed: signatures must compare across processes and releases.
_RNG = random.Random(20230201)
_MASKS = tuple(_RNG.getrandbits(64) for _ in range(PERMUTATIONS))
del _RNG
_PACK = struct.Struct(f"<{PERMUTATIONS}Q")

SAME_STORY_JACCARD = 0.5
SAME_STORY_CONTAINMENT = 0.7
MIN_SHINGLES = 8  # below this a text is too short to call a copy


@dataclass(frozen=True)
class Fingerprint:
    signature: bytes
    shingles: int
    bands: tuple[int, ...]


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def shingle_hashes(text: str) -> set[int]:
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return {_hash(" ".join(words))} if words else set()
    return {
        _hash(" ".join(words[i : i + SHINGLE_WORDS])) for i in range(len(words) - SHINGLE_WORDS + 1)
    }


def fingerprint(text: str) -> Fingerprint:
    hashes = shingle_hashes(text)
    if not hashes:
        return Fingerprint(b"", 0, ())
    # XOR with a random mask is a cheap stand-in for a random permutation of 64-bit hashes.
    minima = [min(h ^ mask for h in hashes) for mask in _MASKS]
    bands = tuple(
        _hash(f"{b}:" + ",".join(map(str, minima[b * ROWS : (b + 1) * ROWS]))) >> 1
        for b in range(BANDS)
    )
    return Fingerprint(_PACK.pack(*minima), len(hashes), bands)


def jaccard(a: bytes, b: bytes) -> float:
    if not a or not b:
        return 0.0
    equal = sum(x == y for x, y in zip(_PACK.unpack(a), _PACK.unpack(b), strict=True))
    return equal / PERMUTATIONS


def same_story(new: Fingerprint, old_signature: bytes, old_shingles: int) -> bool:
    """Near-identical text, or one text nearly contained in the other (an update)."""
    if min(new.shingles, old_shingles) < MIN_SHINGLES:
        return False
    j = jaccard(new.signature, old_signature)
    if j >= SAME_STORY_JACCARD:
        return True
    shared = j * (new.shingles + old_shingles) / (1 + j)
    return shared / min(new.shingles, old_shingles) >= SAME_STORY_CONTAINMENT
