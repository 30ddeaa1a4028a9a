"""GitHub's REST API as the gate talks to it: where the token may go, and how long it waits.

The token goes to GITHUB_API_URL's scheme, host and port only, under its path (and to GraphQL
beside it: `/graphql`, `/api/graphql` on Enterprise Server; GITHUB_GRAPHQL_URL is not read). A
`Link` to a next page or a redirect anywhere else is refused, and the call fails rather than work
from part of a listing (which could post a duplicate); `github.wire` says which URLs qualify.
Listings stop at 100 pages and on a loop; an answer is read in pieces, at most 10 MB unpacked.

Faults are retried with bounded patience (one deadline for the whole publication, which slow
answers cannot stretch: each exchange is given up on when it runs out): 5xx and time-outs back off
exponentially; rate limits wait for `retry-after` or `x-ratelimit-reset`. Refusals that waiting
cannot fix (4xx) become a `GitHubError` saying what GitHub answered and what to do. The token
never appears in a message.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import requests
import urllib3

from carbon_gate.errors import CarbonGateError
from carbon_gate.github import wire

MAX_PAGES = 100  # of 100 comments: a conversation longer than 10,000 comments is not believed
MAX_BYTES = 10_000_000  # the largest answer the gate reads (a page of 100 comments is ~1 MB)
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
_REDIRECTS = (301, 302, 303, 307, 308)
_HINTS = {
    401: "the token is missing, expired or wrong",
    403: "the token may not write here: a pull request from a fork gets a read-only token (use "
    "the two-workflow setup in the README), or the workflow lacks `permissions: "
    "pull-requests: write`",
    404: "the repository or pull request does not exist, or the token cannot see it",
    410: "the pull request's conversation is gone: issues are disabled in this repository, or "
    "the pull request was deleted — the report stays in the job summary",
    422: "GitHub rejected the request (a comment longer than 65,536 characters?)",
}


class GitHubError(CarbonGateError):
    """GitHub refused or could not be reached; the message says why and what to do."""

    def __init__(self, message: str, status: int | None = None, sent: bool = True) -> None:
        super().__init__(message)
        self.status = status
        self.sent = sent  # False when the request surely never reached GitHub


@dataclass(frozen=True)
class Answer:
    """One HTTP answer, read whole (within the deadline and MAX_BYTES)."""

    status: int
    headers: Mapping[str, str]
    body: bytes


class Api:
    """The endpoints' transport: one deadline, the token kept to the API's origin. Clocks and sleep
    are injectable."""

    def __init__(
        self,
        api_url: str,
        token: str,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        max_wait_s: float = 120.0,
        timeout_s: float = 30.0,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self._origin = wire.origin(self.api_url)
        if self._origin is None:
            raise GitHubError(f"GITHUB_API_URL {api_url!r} is not an http(s) URL", sent=False)
        self._token = token.strip()
        if not self._token or re.search(r"\s", self._token):
            raise GitHubError("GITHUB_TOKEN is empty or contains spaces or line breaks", sent=False)
        # GraphQL beside REST: api.github.com/graphql; HOST/api/graphql on Enterprise Server.
        enterprise = self.api_url.endswith("/api/v3")
        self.graphql_url = self.api_url.removesuffix("/v3" if enterprise else "") + "/graphql"
        self.session = session or requests.Session()
        self.sleep, self.clock, self.monotonic = sleep, clock, monotonic
        self.max_wait_s, self.timeout_s = max_wait_s, timeout_s
        self.start_clock()

    def start_clock(self) -> None:
        """A new deadline, `max_wait_s` from now, for everything until the next start."""
        self._deadline = self.monotonic() + self.max_wait_s
        self._waited = 0.0

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "***")

    def _allowed(self, url: str) -> bool:
        """Whether the token may go to `url` (see `wire.allowed`)."""
        return wire.allowed(url, self.api_url, self.graphql_url)

    def call(self, method: str, path_or_url: str, **kwargs: Any) -> Any:
        """One API call, and the JSON it answered."""
        answer = self.request(method, path_or_url, **kwargs)
        return self._json(answer, f"{method} {path_or_url.removeprefix(self.api_url)}")

    def request(
        self, method: str, path_or_url: str, *, read_only: bool = False, **kwargs: Any
    ) -> Answer:
        """One API call, retried while waiting can help and the deadline allows.

        A POST is not retried once it may have reached GitHub (a 5xx or a read time-out), unless
        `read_only`: the caller decides, knowing what the POST would have created."""
        url = path_or_url if "://" in path_or_url else self.api_url + path_or_url
        attempt = 0
        while True:
            answer: Answer | None = None
            sent = True
            try:
                answer = self._send(method, url, **kwargs)
            except requests.ConnectTimeout:
                sent, reason = False, "ConnectTimeout"
            except requests.ConnectionError as error:
                sent, reason = "refused" not in str(error).lower(), "ConnectionError"
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
                reason = type(error).__name__  # a read time-out, a bad header, a cut answer, …
            else:
                if answer.status < 400:
                    return answer
                reason = f"HTTP {answer.status}"
            ambiguous = sent and (answer is None or answer.status >= 500)
            retry = not (method == "POST" and ambiguous and not read_only)
            delay = self._delay(answer, attempt) if retry else None
            if answer is None and not sent and attempt >= 1:
                delay = None  # refused twice: nothing listens there, waiting will not help
            if (
                delay is None
                or self._waited + delay > self.max_wait_s
                or (self.monotonic() + delay > self._deadline)
            ):
                raise self._error(method, url, answer, reason, sent)
            self.sleep(delay)
            self._waited += delay
            attempt += 1

    def _send(self, method: str, url: str, **kwargs: Any) -> Answer:
        """One request, its redirects followed on the API's origin only, its answer read whole."""
        for _ in range(5):
            if not self._allowed(url):
                where = "{}://{}:{}".format(*(wire.origin(url) or ("?", "?", "?")))
                raise GitHubError(
                    self._redact(
                        f"{method} {url.removeprefix(self.api_url)}: GitHub pointed to {where}, "
                        f"outside GITHUB_API_URL ({self.api_url}): the gate sends the token "
                        "nowhere else, and stops here rather than work from part of an answer"
                    ),
                    sent=False,
                )
            answer = self._within_deadline(method, url, kwargs)
            if answer.status not in _REDIRECTS or "location" not in answer.headers:
                return answer
            url = _joined(url, answer.headers["location"])  # GitHub: repeat the request there
        raise GitHubError(f"{method} {url.removeprefix(self.api_url)}: redirected 5 times")

    def _exchange(self, method: str, url: str, kwargs: dict[str, Any]) -> Answer:
        """One request and its answer, read whole."""
        try:
            response = self._request(method, url, kwargs)
        except ValueError as error:  # requests reads a redirect's Location before it answers
            if isinstance(error, requests.RequestException):
                raise  # what `request` retries or reports
            where = url.removeprefix(self.api_url)
            message = f"{method} {where}: GitHub pointed to no URL ({error})"
            raise GitHubError(self._redact(message)) from None
        with response:
            # A redirect's body is not needed (requests has read it already, to move on).
            redirect = response.status_code in _REDIRECTS
            body = b"" if redirect else self._read(response, method, url)
            return Answer(response.status_code, response.headers, body)

    def _request(self, method: str, url: str, kwargs: dict[str, Any]) -> requests.Response:
        return self.session.request(
            method,
            url,
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {self._token}",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "carbon-gate",
                "Accept-Encoding": "gzip",  # what `_unzipped` unpacks
            },
            timeout=min(self.timeout_s, self._left(method, url)),
            stream=True,
            allow_redirects=False,
            **kwargs,
        )

    def _within_deadline(self, method: str, url: str, kwargs: dict[str, Any]) -> Answer:
        """`_exchange(…)`, or a `GitHubError` once the deadline has passed. A socket's time-out
        counts each read alone, and a server that trickles its status line, headers or chunks one
        byte at a time would never trip it: the exchange runs in a thread that is given up on at
        the deadline (it ends with its socket's time-out; a daemon, it ends with carbon-gate)."""
        outcome: list[Answer | BaseException] = []

        def run() -> None:
            try:
                outcome.append(self._exchange(method, url, kwargs))
            except BaseException as error:  # handed back to the caller's thread below
                outcome.append(error)

        worker = threading.Thread(target=run, name="carbon-gate-github", daemon=True)
        worker.start()
        worker.join(self._left(method, url))
        if not outcome:
            self._deadline = self.monotonic()  # spent: nothing more is tried
            self._left(method, url)  # raises, saying so
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0]

    def _left(self, method: str, url: str) -> float:
        """Seconds left before the deadline; none left is an error that says so."""
        left = self._deadline - self.monotonic()
        if left <= 0:
            raise GitHubError(
                self._redact(
                    f"{method} {url.removeprefix(self.api_url)}: the publication ran out of time "
                    f"({self.max_wait_s:g} s) — GitHub answers too slowly; try again later"
                )
            )
        return left

    def _read(self, response: requests.Response, method: str, url: str) -> bytes:
        """The body, piece by piece, at most MAX_BYTES of it."""
        if _number(response.headers.get("content-length")) > MAX_BYTES:
            raise GitHubError(self._too_large(method, url))
        raw = response.raw
        read = getattr(raw, "read1", raw.read)  # read1: whatever has come, without waiting for more
        chunks: list[bytes] = []
        size = 0
        while True:
            self._left(method, url)  # given up on already: stop reading
            chunk = read(65_536, decode_content=False)  # as sent: `_unzipped` unpacks it
            if not chunk:
                return self._unzipped(b"".join(chunks), response, method, url)
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_BYTES:
                raise GitHubError(self._too_large(method, url))

    def _unzipped(self, body: bytes, response: requests.Response, method: str, url: str) -> bytes:
        encoding = response.headers.get("content-encoding", "identity")
        try:
            return wire.unpacked(body, encoding, MAX_BYTES)
        except wire.TooLarge:
            raise GitHubError(self._too_large(method, url)) from None
        except ValueError as error:
            where = f"{method} {url.removeprefix(self.api_url)}"
            raise GitHubError(self._redact(f"{where}: {error}")) from None

    def _too_large(self, method: str, url: str) -> str:
        where = f"{method} {url.removeprefix(self.api_url)}"
        return self._redact(f"{where}: the answer is larger than 10 MB — is GITHUB_API_URL right?")

    def _delay(self, answer: Answer | None, attempt: int) -> float | None:
        """Seconds to wait before trying again, or None when waiting will not help."""
        backoff = min(2.0**attempt, 30.0)
        if answer is None or answer.status >= 500:
            return backoff
        if answer.status in (403, 429):
            if "retry-after" in answer.headers:
                return _seconds(answer.headers["retry-after"], default=backoff)
            if answer.headers.get("x-ratelimit-remaining") == "0":
                reset = _seconds(answer.headers.get("x-ratelimit-reset", ""), default=0.0)
                return max(reset - self.clock(), 1.0)
            return backoff if answer.status == 429 else None
        return None

    def _error(
        self, method: str, url: str, answer: Answer | None, reason: str, sent: bool
    ) -> GitHubError:
        where = f"{method} {url.removeprefix(self.api_url)}"
        status = None if answer is None else answer.status
        if status is None and self.monotonic() >= self._deadline:
            hint = f"the publication ran out of time ({self.max_wait_s:g} s); try again later"
        elif status is None:
            hint = f"{self.api_url} (GITHUB_API_URL) could not be reached; try again later"
        elif status >= 500:
            hint = "GitHub failed to answer (a fault on its side); try again later"
        else:
            hint = _HINTS.get(status, "GitHub refused the request; the message says why")
        detail = ""
        if answer is not None:
            try:
                content = json.loads(answer.body)
            except (ValueError, RecursionError):
                content = None
            if isinstance(content, dict):
                detail = str(content.get("message", ""))[:200]
        message = f"{where}: {reason}" + (f" ({detail})" if detail else "") + f" — {hint}"
        return GitHubError(self._redact(message), status, sent)

    def pages(self, path: str) -> Iterator[dict[str, Any]]:
        """Every item of a paginated listing, following the `Link: <…>; rel="next"` header."""
        url = f"{self.api_url}{path}{'&' if '?' in path else '?'}per_page=100"
        seen = {url}
        for page in range(MAX_PAGES):
            answer = self.request("GET", url)
            items = self._json(answer, f"GET {path}")
            if not isinstance(items, list):
                raise GitHubError(
                    self._redact(
                        f"GET {path}: {_shape(items)} where a list was expected — is "
                        "GITHUB_API_URL the API's address?"
                    )
                )
            for number, item in enumerate(items, start=page * 100 + 1):
                if not isinstance(item, dict):
                    raise GitHubError(f"GET {path}: item {number} of the listing is not an object")
                yield item
            match = _NEXT.search(answer.headers.get("link", ""))
            if match is None:
                return
            url = _joined(url, match.group(1))
            if url in seen:
                raise GitHubError(f"GET {path}: the listing loops (a page points back to one read)")
            seen.add(url)
        raise GitHubError(
            f"GET {path}: more than {MAX_PAGES} pages of 100 — the gate stops rather than read "
            "on; post a new comment each time (comment: new)"
        )

    def _json(self, answer: Answer, where: str) -> Any:
        try:
            return json.loads(answer.body)
        except (ValueError, RecursionError):  # not JSON; nested deeper than the parser goes
            raise GitHubError(
                self._redact(
                    f"{where}: the answer is not JSON — is GITHUB_API_URL the API's address?"
                )
            ) from None


def _shape(value: Any) -> str:
    """What a JSON value is, for a message: "an object (“message: …”)", "a string", …"""
    if isinstance(value, dict):
        message = value.get("message")
        return "GitHub answered an object" + (f" ({str(message)[:200]})" if message else "")
    kind = {str: "a string", int: "a number", float: "a number", bool: "a boolean"}
    return f"GitHub answered {kind.get(type(value), 'null')}"


def _joined(url: str, reference: str) -> str:
    """`reference` (a `Link` or a `Location`) read against `url`; a GitHubError if it is none."""
    try:
        return urljoin(url, reference)
    except ValueError:
        raise GitHubError(f"GitHub pointed to no URL ({reference[:100]!r})") from None


def _number(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def _seconds(value: str, default: float) -> float:
    """A header's seconds ("30"), or `default` for anything else ("soon", "nan", "inf")."""
    try:
        seconds = float(value)
    except ValueError:
        return default
    return max(seconds, 0.0) if math.isfinite(seconds) else default
