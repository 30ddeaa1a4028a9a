"""One exchange with GitHub's REST API: where the token may go, and how long the gate waits.

Takes a method, a URL and requests' keyword arguments; gives the `Answer`, read whole, or a
`GitHubError` that says what went wrong (`github.api` retries, and explains GitHub's refusals).

The token goes to GITHUB_API_URL's scheme, host and port only, under its path (and to GraphQL
beside it: `/graphql`, `/api/graphql` on Enterprise Server; GITHUB_GRAPHQL_URL is not read). A
redirect, or a listing's `Link` to its next page, that points anywhere else is refused, and the
call fails rather than work from part of an answer; `github.wire` says which URLs qualify.
Redirects are followed by hand. An answer is read in pieces, at most 10 MB unpacked (GitHub
gzips). One deadline holds until the clock is started again, and slow answers cannot stretch it:
each exchange runs in a thread that is given up on when the deadline passes. The token never
appears in a message.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import requests

from carbon_gate.errors import CarbonGateError
from carbon_gate.github import wire

MAX_BYTES = 10_000_000  # the largest answer the gate reads (a page of 100 comments is ~1 MB)
_REDIRECTS = (301, 302, 303, 307, 308)


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


class Exchange:
    """Requests to one API, the token kept to its origin, answers read within one deadline. The
    monotonic clock is injectable."""

    def __init__(
        self,
        api_url: str,
        token: str,
        *,
        session: requests.Session | None,
        monotonic: Callable[[], float],
        max_wait_s: float,
        timeout_s: float,
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
        self.monotonic = monotonic
        self.max_wait_s, self.timeout_s = max_wait_s, timeout_s
        self.start_clock()

    def start_clock(self) -> None:
        """A new deadline, `max_wait_s` from now, for everything until the next start."""
        self._deadline = self.monotonic() + self.max_wait_s

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "***")

    def _allowed(self, url: str) -> bool:
        """Whether the token may go to `url` (see `wire.allowed`)."""
        return wire.allowed(url, self.api_url, self.graphql_url)

    def send(self, method: str, url: str, **kwargs: Any) -> Answer:
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
            url = joined(url, answer.headers["location"])  # GitHub: repeat the request there
        raise GitHubError(f"{method} {url.removeprefix(self.api_url)}: redirected 5 times")

    def _exchange(self, method: str, url: str, kwargs: dict[str, Any]) -> Answer:
        """One request and its answer, read whole."""
        try:
            response = self._request(method, url, kwargs)
        except ValueError as error:  # requests reads a redirect's Location before it answers
            if isinstance(error, requests.RequestException):
                raise  # what `Api.request` retries or reports
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


def _number(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def joined(url: str, reference: str) -> str:
    """`reference` (a `Link` or a `Location`) read against `url`; a GitHubError if it is none."""
    try:
        return urljoin(url, reference)
    except ValueError:
        raise GitHubError(f"GitHub pointed to no URL ({reference[:100]!r})") from None
