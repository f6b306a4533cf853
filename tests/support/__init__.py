"""Test support code: the one site server, the one SMTP server and the shared helpers.

Test modules import from here (and from `fixtures/` for fixture data), never from each other.
"""
