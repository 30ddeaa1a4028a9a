"""Publishing the report as a pull-request comment, through GitHub's REST API.

Only the gate's own comment is ever edited: one that starts with its marker *and* was written by
the identity the token belongs to. Faults are retried with bounded patience (one deadline for the
whole publication): 5xx and timeouts back off exponentially; rate limits wait for `retry-after` or
`x-ratelimit-reset`. A comment is never posted twice: after an ambiguous failure of a POST the
gate looks for its comment before posting again. Errors that waiting cannot fix (401, 403, 404,
422) become a `GitHubError` saying why and what to do. The token never appears in a message.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import requests

from carbon_gate.errors import CarbonGateError

COMMENT_LIMIT = 65_536  # characters GitHub accepts in a comment body
ACTIONS_BOT = "github-actions[bot]"  # who comments with the Actions GITHUB_TOKEN
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
_HINTS = {
    401: "the token is missing, expired or wrong",
    403: "the token may not write here: a pull request from a fork gets a read-only token (use "
    "the two-workflow setup in the README), or the workflow lacks `permissions: "
    "pull-requests: write`",
    404: "the repository or pull request does not exist, or the token cannot see it",
    422: "GitHub rejected the request (a comment longer than 65,536 characters?)",
}


class GitHubError(CarbonGateError):
    """GitHub refused or could not be reached; the message says why and what to do."""

    def __init__(self, message: str, status: int | None = None, sent: bool = True) -> None:
        super().__init__(message)
        self.status = status
        self.sent = sent  # False when the request surely never reached GitHub


@dataclass(frozen=True)
class Published:
    """What happened to the comment: "created" or "updated", and where it is."""

    action: str
    url: str


class GitHub:
    """A small client for the endpoints the gate uses. Clocks and sleep are injectable."""

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
        fallback_identity: str | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        if not self.api_url.startswith(("http://", "https://")):
            raise GitHubError(f"GITHUB_API_URL {api_url!r} is not an http(s) URL", sent=False)
        self._token = token.strip()
        if not self._token or re.search(r"\s", self._token):
            raise GitHubError("GITHUB_TOKEN is empty or contains spaces or line breaks", sent=False)
        self.session = session or requests.Session()
        self.sleep, self.clock, self.monotonic = sleep, clock, monotonic
        self.max_wait_s, self.timeout_s = max_wait_s, timeout_s
        self.fallback_identity = fallback_identity
        self._deadline = monotonic() + max_wait_s
        self._waited = 0.0

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "***")

    def call(self, method: str, path_or_url: str, **kwargs: Any) -> Any:
        """One API call, and the JSON it answered."""
        response = self.request(method, path_or_url, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise GitHubError(
                self._redact(
                    f"{method} {path_or_url}: the answer is not JSON — is "
                    "GITHUB_API_URL the API's address?"
                )
            ) from None

    def request(self, method: str, path_or_url: str, **kwargs: Any) -> requests.Response:
        """One API call, retried while waiting can help and the deadline allows.

        A POST is not retried once it may have reached GitHub (a 5xx or a read time-out): the
        caller decides, knowing what the POST would have created."""
        url = path_or_url if path_or_url.startswith("http") else self.api_url + path_or_url
        headers = {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self._token}",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "carbon-gate",
        }
        attempt = 0
        while True:
            response: requests.Response | None = None
            sent = True
            try:
                response = self.session.request(
                    method, url, headers=headers, timeout=self.timeout_s, **kwargs
                )
            except requests.ConnectTimeout:
                sent, reason = False, "ConnectTimeout"
            except requests.ConnectionError as error:
                sent, reason = "refused" not in str(error).lower(), "ConnectionError"
            except requests.RequestException as error:  # a read time-out, a bad header, …
                reason = type(error).__name__
            else:
                if response.status_code < 400:
                    return response
                reason = f"HTTP {response.status_code}"
            ambiguous = sent and (response is None or response.status_code >= 500)
            delay = None if method == "POST" and ambiguous else self._delay(response, attempt)
            if response is None and not sent and attempt >= 1:
                delay = None  # refused twice: nothing listens there, waiting will not help
            if (
                delay is None
                or self._waited + delay > self.max_wait_s
                or (self.monotonic() + delay > self._deadline)
            ):
                raise self._error(method, url, response, reason, sent)
            self.sleep(delay)
            self._waited += delay
            attempt += 1

    def _delay(self, response: requests.Response | None, attempt: int) -> float | None:
        """Seconds to wait before trying again, or None when waiting will not help."""
        backoff = min(2.0**attempt, 30.0)
        if response is None or response.status_code >= 500:
            return backoff
        if response.status_code in (403, 429):
            if "retry-after" in response.headers:
                return _seconds(response.headers["retry-after"], default=backoff)
            if response.headers.get("x-ratelimit-remaining") == "0":
                reset = _seconds(response.headers.get("x-ratelimit-reset", ""), default=0.0)
                return max(reset - self.clock(), 1.0)
            return backoff if response.status_code == 429 else None
        return None

    def _error(
        self,
        method: str,
        url: str,
        response: requests.Response | None,
        reason: str,
        sent: bool,
    ) -> GitHubError:
        where = f"{method} {url.removeprefix(self.api_url)}"
        status = None if response is None else response.status_code
        hint = _HINTS.get(
            status or 0, f"{self.api_url} (GITHUB_API_URL) could not be reached; try again later"
        )
        detail = ""
        if response is not None:
            try:
                detail = str(response.json().get("message", ""))[:200]
            except (ValueError, AttributeError):
                detail = ""
        message = f"{where}: {reason}" + (f" ({detail})" if detail else "") + f" — {hint}"
        return GitHubError(self._redact(message), status, sent)

    def pages(self, path: str) -> Iterator[Any]:
        """Every item of a paginated listing, following the `Link: <…>; rel="next"` header."""
        url: str | None = f"{path}{'&' if '?' in path else '?'}per_page=100"
        while url:
            response = self.request("GET", url)
            try:
                items = response.json()
            except ValueError:
                raise GitHubError(f"GET {path}: the answer is not JSON") from None
            yield from items
            match = _NEXT.search(response.headers.get("link", ""))
            url = match.group(1) if match else None

    def identity(self) -> str:
        """The login the token writes as. `GET /user` refuses the Actions token (an installation
        token, which comments as github-actions[bot]): then `fallback_identity`, if given."""
        try:
            return str(self.call("GET", "/user")["login"])
        except GitHubError as error:
            if error.status not in (403, 404):
                raise  # unreachable, bad credentials, …: the error says it best as it is
            if self.fallback_identity:
                return self.fallback_identity
            raise GitHubError(
                f"cannot tell which account the token belongs to ({error}), so the gate cannot "
                "find its earlier comment — post a new comment each time (check --comment new, "
                "comment --mode new), or use a token that may read /user",
                error.status,
            ) from None

    def publish(self, repository: str, number: int, body: str, marker: str, mode: str) -> Published:
        """Create the gate's comment, or (mode "update") edit its earlier one in place."""
        self._deadline = self.monotonic() + self.max_wait_s
        self._waited = 0.0
        base = f"/repos/{repository}/issues"
        me = self.identity() if mode == "update" else None
        if me is not None:
            found = self._find(base, number, me, marker)
            if found is not None:
                edited = self.call("PATCH", f"{base}/comments/{found}", json={"body": body})
                return Published("updated", str(edited.get("html_url", "")))
        for _ in range(3):
            try:
                created = self.call("POST", f"{base}/{number}/comments", json={"body": body})
                return Published("created", str(created.get("html_url", "")))
            except GitHubError as error:
                if not (error.sent and (error.status is None or error.status >= 500)):
                    raise
                # The POST may have landed before it failed: look for it before posting again.
                me = me or self.identity()
                if self._find(base, number, me, body, exact=True) is not None:
                    return Published("created", "")
        raise GitHubError(f"POST {base}/{number}/comments failed three times — try again later")

    def _find(self, base: str, number: int, me: str, text: str, exact: bool = False) -> int | None:
        """The id of `me`'s comment that starts with `text` (or is `text`, if `exact`)."""
        for comment in self.pages(f"{base}/{number}/comments"):
            author = (comment.get("user") or {}).get("login")
            body = comment.get("body") or ""
            if author == me and (body == text if exact else body.startswith(text)):
                return int(comment["id"])
        return None


def _seconds(value: str, default: float) -> float:
    try:
        return max(float(value), 0.0)
    except ValueError:
        return default


def fit(body: str, limit: int = COMMENT_LIMIT) -> str:
    """`body` cut at a clean boundary (a blank line) to fit `limit`, with a note saying so."""
    if len(body) <= limit:
        return body
    note = (
        "\n\n> ✂️ This report was longer than a GitHub comment allows and was trimmed here; "
        "the full report is in the job summary.\n"
    )
    room = limit - len(note)
    cut = body.rfind("\n\n", 0, room)
    kept = body[: cut if cut > 0 else room]
    if kept.count("<details>") > kept.count("</details>"):
        kept += "\n\n</details>"
        kept = kept if len(kept) + len(note) <= limit else kept[: room - 12] + "\n</details>"
    return kept + note
