"""Secrets: password hashing, random tokens and their stored hashes.

Passwords are hashed with **argon2id** (argon2-cffi's ``PasswordHasher``: RFC 9106's low-memory
profile, 64 MiB and 3 passes per hash). Argon2id won the Password Hashing Competition and is
OWASP's first choice: memory-hard (an attacker's GPU pays the 64 MiB per guess), its parameters
live in the hash string (so they can be raised later: ``needs_rehash``), and its verification is
constant-time. hashlib.scrypt is also memory-hard but offers no rehash check and, at OWASP's
parameters, costs 128 MiB per login.

Session ids, CSRF tokens, API tokens and check codes are random (``secrets``); only their SHA-256
is stored, so a copy of the database opens no session and no API. High-entropy random secrets need
no slow hash; the short check codes of the public progress lookup are hashed with argon2id too.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = ["check_code", "hash_password", "new_token", "same", "token_hash", "verify_password"]

_HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile
# A hash of nothing anyone knows: verifying against it costs what a real check costs, so the
# answer for an unknown account takes as long as for a wrong password.
_DUMMY = _HASHER.hash(secrets.token_hex(16))
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed by applicants


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True if `password` matches the stored hash (constant-time; an absent hash costs the same)."""
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_token(prefix: str = "") -> str:
    """A random secret of 256 bits, URL-safe."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two secrets."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def check_code() -> str:
    """A check code for the public progress lookup: 10 characters, about 50 bits, grouped for reading."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"
