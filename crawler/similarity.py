"""Near-duplicate detection without scanning the archive: MinHash signatures + LSH bands.

Each article gets a signature of PERMUTATIONS minimum hashes over its 5-word shingles,
computed in one pass by one-permutation hashing with rotation densification (Shrivastava
and Li, 2014): each shingle hash falls into one of PERMUTATIONS bins, each bin keeps its
minimum, and an empty bin borrows from the next filled one.
Bands of ROWS consecutive minima are stored in an index; a new article only compares
itself with the articles that share a band, so the cost per article stays flat as the
archive grows.
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass

SHINGLE_WORDS = 5
PERMUTATIONS = 64
ROWS = 2  # 32 bands of 2: a pair at Jaccard 0.5 shares a band with probability > 0.999
BANDS = PERMUTATIONS // ROWS
_BIN_BITS = PERMUTATIONS.bit_length() - 1
_VALUE_MASK = (1 << (64 - _BIN_BITS)) - 1
_BORROW_STEP = 0x9E3779B97F4A7C15  # odd: borrowed values differ by how far they travelled
_WORD = re.compile(r"\w+")
_PACK = struct.Struct(f"<{PERMUTATIONS}Q")

SAME_STORY_JACCARD = 0.5
SAME_STORY_CONTAINMENT = 0.7
MIN_SHINGLES = 8  # below this a text is too short to call a copy


@dataclass(frozen=True)
class Fingerprint:
    signature: bytes
    shingles: int
    bands: tuple[int, ...]


_HASHER = hashlib.blake2b(digest_size=8)  # copied for each text: cheaper than a new one


def _hash(text: str) -> int:
    hasher = _HASHER.copy()
    hasher.update(text.encode())
    return int.from_bytes(hasher.digest(), "little")


def shingle_hashes(text: str) -> set[int]:
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return {_hash(" ".join(words))} if words else set()
    # each run of SHINGLE_WORDS words: the word lists shifted by 0..SHINGLE_WORDS-1, zipped
    runs = zip(*(words[i:] for i in range(SHINGLE_WORDS)), strict=False)  # shorter ones end it
    return set(map(_hash, map(" ".join, runs)))


def fingerprint(text: str) -> Fingerprint:
    hashes = shingle_hashes(text)
    if not hashes:
        return Fingerprint(b"", 0, ())
    minima = _one_permutation(hashes)
    bands = tuple(
        _hash(f"{b}:" + ",".join(map(str, minima[b * ROWS : (b + 1) * ROWS]))) >> 1
        for b in range(BANDS)
    )
    return Fingerprint(_PACK.pack(*minima), len(hashes), bands)


def _one_permutation(hashes: set[int]) -> list[int]:
    bins: list[int | None] = [None] * PERMUTATIONS
    for h in hashes:
        index, value = h & (PERMUTATIONS - 1), h >> _BIN_BITS
        current = bins[index]
        if current is None or value < current:
            bins[index] = value
    filled = [i for i, v in enumerate(bins) if v is not None]
    out = []
    for i, value in enumerate(bins):
        if value is None:  # borrow from the next filled bin, circularly
            j = next((f for f in filled if f > i), filled[0])
            value = (bins[j] + ((j - i) % PERMUTATIONS) * _BORROW_STEP) & _VALUE_MASK
        out.append(value)
    return out


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
