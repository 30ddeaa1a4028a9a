"""Publishing the report as a pull-request comment, through GitHub's REST API (`github.api`).

Only the gate's own comment is ever edited: one that starts with its marker *and* was written by
the identity the token comments as. That identity is, in this order: the one the user gave
(`comment-as`, `--comment-as`, CARBON_GATE_COMMENT_AS); `GET /user` (a person's token); GraphQL's
`viewer`, which names the account behind an installation token (`github-actions[bot]` for the
Actions token, `<app-slug>[bot]` for a GitHub App's). When none of them answers, the gate does not
guess: update mode fails with a message saying to set `comment-as`. It never picks a comment by
its marker alone, nor "the one bot that wrote the marker": another bot or a person can write the
marker, and an App token with write access may edit their comments. When GitHub names the author
of a comment the gate posts and it is not the identity given, the result says so (`note`).

A comment is never posted twice: after an ambiguous failure of a POST the gate looks for its
comment before posting again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from carbon_gate.github.api import Api
from carbon_gate.github.exchange import GitHubError

COMMENT_LIMIT = 65_536  # characters GitHub accepts in a comment body
LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?")  # a GitHub login
_REFUSED = range(400, 500)
_VIEWER = {"query": "query { viewer { login } }"}
_SET_IDENTITY = (
    "set `comment-as` (the action's input; --comment-as LOGIN or CARBON_GATE_COMMENT_AS "
    "elsewhere) to the login the token comments as: github-actions[bot] for the Actions token, "
    "<app-slug>[bot] for a GitHub App's token — or post a new comment each time (comment: new)"
)


@dataclass(frozen=True)
class Published:
    """What happened to the comment: "created" or "updated", where it is, and any doubt."""

    action: str
    url: str
    note: str = ""  # e.g. the comment was posted as someone other than `comment-as`


class GitHub(Api):
    """The gate's comment on a pull request: found, edited or posted."""

    def __init__(
        self, api_url: str, token: str, *, comment_as: str | None = None, **kw: Any
    ) -> None:
        super().__init__(api_url, token, **kw)
        if comment_as is not None and not LOGIN.fullmatch(comment_as):
            raise GitHubError(
                f"comment-as {comment_as!r} is not a GitHub login (e.g. my-app[bot])", sent=False
            )
        self.comment_as = comment_as

    def identity(self) -> str:
        """The login the token comments as: `comment_as`, else GitHub's word for it."""
        if self.comment_as:
            return self.comment_as
        tried: list[str] = []
        for method, url, kwargs in (
            ("GET", "/user", {}),  # a person's token
            ("POST", self.graphql_url, {"json": _VIEWER, "read_only": True}),  # an installation's
        ):
            try:
                answer = self.call(method, url, **kwargs)
            except GitHubError as error:
                # /user refuses installation tokens (403); a server may lack GraphQL (404, 4xx).
                refused = error.status in ((403, 404) if not tried else _REFUSED)
                if not refused:
                    raise  # unreachable, bad credentials, …: the error says it best as it is
                tried.append(str(error))
                continue
            login = _login(answer if method == "GET" else _viewer(answer))
            if login:
                return login
            tried.append(f"{method} {url.removeprefix(self.api_url)}: no login in the answer")
        raise GitHubError(
            self._redact(
                "cannot tell which account the token comments as, so the gate cannot find its "
                f"earlier comment ({'; '.join(tried)}) — {_SET_IDENTITY}"
            ),
            sent=False,
        )

    def publish(self, repository: str, number: int, body: str, marker: str, mode: str) -> Published:
        """Create the gate's comment, or (mode "update") edit its earlier one in place."""
        self.start_clock()
        base = f"/repos/{repository}/issues"
        me = self.identity() if mode == "update" else self.comment_as
        if mode == "update" and me is not None:
            found = self._find(base, number, me, marker)
            if found is not None:
                edited = self.call("PATCH", f"{base}/comments/{found}", json={"body": body})
                return Published("updated", _url(edited))
        for _ in range(3):
            try:
                created = self.call("POST", f"{base}/{number}/comments", json={"body": body})
                return Published("created", _url(created), _mismatch(me, created))
            except GitHubError as error:
                ambiguous = error.sent and (error.status is None or error.status >= 500)
                if not ambiguous or self.monotonic() >= self._deadline:
                    raise
                # The POST may have landed before it failed: look for it before posting again.
                # Whose comments to look among must be known; if it is not, the POST's failure is
                # what the user needs to hear, not the identity's.
                try:
                    me = me or self.identity()
                except GitHubError:
                    raise error from None
                if self._find(base, number, me, body, exact=True) is not None:
                    return Published("created", "")
        raise GitHubError(f"POST {base}/{number}/comments failed three times — try again later")

    def _find(self, base: str, number: int, me: str, text: str, exact: bool = False) -> int | None:
        """The id of `me`'s comment that starts with `text` (or is `text`, if `exact`)."""
        where = f"GET {base}/{number}/comments"
        for comment in self.pages(f"{base}/{number}/comments"):
            body = comment.get("body")
            if not _same(_login(comment.get("user")), me) or not isinstance(body, str):
                continue
            if body == text if exact else body.startswith(text):
                found = comment.get("id")
                if not isinstance(found, int) or isinstance(found, bool):
                    raise GitHubError(f"{where}: the gate's comment has no id in the listing")
                return found
        return None


def _viewer(answer: Any) -> Any:
    """The `viewer` of a GraphQL answer to `_VIEWER`, or None."""
    data = answer.get("data") if isinstance(answer, dict) else None
    return data.get("viewer") if isinstance(data, dict) else None


def _login(user: Any) -> str | None:
    """The login of a user object, when it is one."""
    login = user.get("login") if isinstance(user, dict) else None
    return login if isinstance(login, str) and LOGIN.fullmatch(login) else None


def _same(login: str | None, other: str) -> bool:
    """Whether two logins name one account: GitHub's logins ignore case."""
    return login is not None and login.casefold() == other.casefold()


def _url(comment: Any) -> str:
    url = comment.get("html_url") if isinstance(comment, dict) else None
    return url if isinstance(url, str) else ""


def _mismatch(me: str | None, created: Any) -> str:
    """A note when GitHub says the comment was posted by someone other than `me`."""
    login = _login(created.get("user") if isinstance(created, dict) else None)
    if me is None or login is None or _same(login, me):
        return ""
    return (
        f"the comment was posted as {login}, but the gate looks for comments by {me} "
        f"(comment-as): set `comment-as` to {login}, or each run posts a new comment"
    )


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


def client(env: Mapping[str, str], comment_as: str | None) -> GitHub:
    """The GitHub client for this environment: its API, its token, and who the token comments
    as (`--comment-as`, which the action's `comment-as` sets; None: asked of GitHub)."""
    return GitHub(
        env.get("GITHUB_API_URL") or "https://api.github.com",
        env.get("GITHUB_TOKEN", ""),
        comment_as=comment_as,
    )
