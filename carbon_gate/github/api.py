"""GitHub's REST API as the gate calls it: calls retried with bounded patience, listings paged,
refusals explained.

Takes a method and a path (or a URL the API gave); gives the JSON GitHub answered, or a
`GitHubError`. Each try is one exchange (`github.exchange`: the token kept to GITHUB_API_URL's
origin, the deadline, the size cap).

Faults are retried with bounded patience (one deadline for the whole publication, which slow
answers cannot stretch): 5xx and time-outs back off exponentially; rate limits wait for
`retry-after` or `x-ratelimit-reset`. Refusals that waiting cannot fix (4xx) become a
`GitHubError` saying what GitHub answered and what to do. A listing follows its `Link` to the next
page on the API's origin only, and fails rather than work from part of it (which could post a
duplicate); it stops at 100 pages and on a loop. The token never appears in a message.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import requests
import urllib3

from carbon_gate.github.exchange import Answer, Exchange, GitHubError, joined

MAX_PAGES = 100  # of 100 comments: a conversation longer than 10,000 comments is not believed
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
_HINTS = {
    401: "the token is missing, expired or wrong",
    403: "the token may not write here: a pull request from a fork gets a read-only token (use "
    "the two-workflow setup of carbon-gate's docs/github.md), or the workflow lacks `permissions: "
    "pull-requests: write`",
    404: "the repository or pull request does not exist, or the token cannot see it",
    410: "the pull request's conversation is gone: issues are disabled in this repository, or "
    "the pull request was deleted — the report stays in the job summary",
    422: "GitHub rejected the request (a comment longer than 65,536 characters?)",
}


class Api(Exchange):
    """The endpoints' transport: calls retried within one deadline, the token kept to the API's
    origin. Clocks and sleep are injectable."""

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
        self.sleep, self.clock = sleep, clock
        super().__init__(
            api_url,
            token,
            session=session,
            monotonic=monotonic,
            max_wait_s=max_wait_s,
            timeout_s=timeout_s,
        )

    def start_clock(self) -> None:
        """A new deadline, `max_wait_s` from now, for everything until the next start."""
        super().start_clock()
        self._waited = 0.0

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
                answer = self.send(method, url, **kwargs)
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
            url = joined(url, match.group(1))
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


def _seconds(value: str, default: float) -> float:
    """A header's seconds ("30"), or `default` for anything else ("soon", "nan", "inf")."""
    try:
        seconds = float(value)
    except ValueError:
        return default
    return max(seconds, 0.0) if math.isfinite(seconds) else default
