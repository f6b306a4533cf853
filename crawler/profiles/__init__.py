"""Site profiles: per-site parsers and story identity, chosen by a source's `profile:` key.

Each module of this package (except `base`) is one site, named as in config.yaml, with one
Profile subclass decorated with @register. Adding a site is one module (plus its golden
fixture under tests/golden/<name>/). Names are read from the module list, so validating a
config never imports the parsers (nor trafilatura behind their generic fallback).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from crawler.profiles.base import Profile

P = TypeVar("P", bound="type[Profile]")
_NOT_PROFILES = frozenset({"base"})
_REGISTRY: dict[str, type[Profile]] = {}


def register(cls: P) -> P:
    """Class decorator: makes a Profile subclass available under its `name`."""
    if not cls.name or cls.name in _REGISTRY:
        raise ValueError(f"profile {cls.__name__} needs a unique name, got {cls.name!r}")
    _REGISTRY[cls.name] = cls
    return cls


def profile_names() -> list[str]:
    """The registered profile names: the site modules of this package."""
    found = (m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    return sorted(name for name in found if name not in _NOT_PROFILES)


def get_profile(name: str) -> Profile:
    """The profile called `name`; KeyError naming the known ones if there is none."""
    if name not in profile_names():
        raise KeyError(f"unknown site profile {name!r} (known: {', '.join(profile_names())})")
    importlib.import_module(f"{__name__}.{name}")
    if name not in _REGISTRY:
        raise KeyError(f"module crawler.profiles.{name} registers no profile named {name!r}")
    return _REGISTRY[name]()
