"""newswatch: watches news sites and emails you when a story matching your keywords appears."""

__version__ = "0.1.0"
