"""URLs and answers as they travel between the gate and GitHub: where the token may go, and what
an answer unpacks to. Pure: `github.exchange` says what a refusal means to the user.
"""

from __future__ import annotations

import zlib
from urllib.parse import unquote, urlsplit

import requests
import urllib3


class TooLarge(ValueError):
    """An answer that unpacks to more than the gate reads."""


def allowed(url: str, api_url: str, graphql_url: str) -> bool:
    """Whether the token may go to `url`: `api_url`'s origin, under its path, or `graphql_url`.
    The URL is judged as written and as requests will send it (which decodes `%2e` to `.`)."""
    try:
        sent = requests.Request("GET", url).prepare().url or ""
    except (ValueError, requests.RequestException):
        return False
    return all(_inside(u, api_url, graphql_url) for u in (url, sent))


def _inside(url: str, api_url: str, graphql_url: str) -> bool:
    if url.split("?", 1)[0] == graphql_url:
        return True
    try:
        prefix, path = urlsplit(api_url).path, urlsplit(url).path
    except ValueError:
        return False
    inside = path == prefix or path.startswith(prefix + "/")
    # No step out of the prefix however spelt (`..`, `%2e%2e`, `..;`, `..%5c`).
    steps = unquote(path).split("/")
    stepping = any(step == "." or step.startswith("..") for step in steps)
    home = origin(api_url)
    return home is not None and origin(url) == home and inside and not stepping


def origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL, the port filled in; None for anything else.

    Only where Python's parser and urllib3's (which requests connects with) agree: they read
    `http://evil\\@api.github.com/` differently, and the token must go where the check looked.
    An authority with user information (`@`) or a backslash is refused outright."""
    authority = url.partition("://")[2].split("/", 1)[0]
    if "@" in authority or "\\" in authority:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
        connected = urllib3.util.parse_url(url)
    except ValueError:  # urllib3's LocationParseError is a ValueError too
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default = 443 if parts.scheme == "https" else 80
    origin = (parts.scheme, parts.hostname, port or default)
    host = (connected.host or "").lower().removeprefix("[").removesuffix("]")
    seen = (connected.scheme, host, connected.port or default)
    return origin if seen == origin else None


def unpacked(body: bytes, encoding: str, limit: int) -> bytes:
    """`body` as it was before compression (GitHub gzips what it sends a client that accepts it),
    at most `limit` bytes of it: a small answer cannot unpack into a huge one. A `ValueError` says
    what is wrong with it (`TooLarge`: over the limit)."""
    encoding = encoding.strip().lower()
    if encoding == "identity":
        return body
    if encoding != "gzip":
        raise ValueError(f"an answer in {encoding!r}, not gzip")
    unpacker = zlib.decompressobj(16 + zlib.MAX_WBITS)  # the gzip format
    try:
        unpacked = unpacker.decompress(body, limit + 1)
    except zlib.error:
        raise ValueError("a broken gzip answer") from None
    if len(unpacked) > limit:
        raise TooLarge(f"more than {limit} bytes")
    if not unpacker.eof or unpacker.unused_data:  # cut short, or more than one answer
        raise ValueError("a broken gzip answer")
    return unpacked
