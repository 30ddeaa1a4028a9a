"""Reading the history: every entry at a git ref, or in a folder that holds the branch's files
(a checkout of it), checked one by one.

The branch can be pushed to by anyone with write access, so nothing in it is taken on trust: the
marker file must say the branch is carbon-gate's; every file under `runs/` must be an entry at
`runs/YYYY/MM/NAME.json`, of at most `ENTRY_LIMIT` bytes, that `entries.parse` accepts; there
are at most `MAX_ENTRIES`, and together they hold at most `TOTAL_LIMIT` bytes (200 MB: as many
runs of the 1.9 kB `history record` writes). Git keeps one blob once however many names point at
it, so a push of kilobytes can name gigabytes: every size is known, and the sum checked, before
anything is read (`git ls-tree --long`, or the folder's listing), the listing is read as git
writes it and the entries one at a time (`gitrun.reading`), never whole. Links are not followed,
and anything refused is a `UsageError` that names the file (exit 2), on one line: a name's line
breaks and control characters are shown escaped (`shown_name`), and the CLI prints every error
inert in Actions' log (`output.inert`).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from carbon_gate.errors import UsageError
from carbon_gate.history import entries, gitrun
from carbon_gate.history.entries import Entry

MARKER = "carbon-gate-history.json"
MARKER_FORMAT = "carbon-gate/history"
RUNS = "runs"
# Bytes of an entry: `history record` writes about 1.9 kB; the largest that the limits on its texts
# allow (27 of them at `TEXT_LIMIT` characters, each up to 6 bytes as JSON) is about 164 kB.
ENTRY_LIMIT = 256 * 1024
MAX_ENTRIES = 100_000  # ten times what the scale benchmark reads in under a second
# Bytes of all entries together: MAX_ENTRIES runs of the 1.9 kB `history record` writes. 20,000
# names for one 64 KiB blob are a push of kilobytes and 1.3 GB to read (2.6 GB of memory once).
TOTAL_LIMIT = MAX_ENTRIES * 2_000
_ENTRY_PATH = re.compile(r"runs/\d{4}/\d\d/[A-Za-z0-9._-]{1,200}\.json", re.ASCII)
_REGULAR = ("100644", "100755")
_SHOWN = 300  # characters of a name a message shows: an entry's path is at most 216
_RECORD = 1024  # bytes of a line of `git ls-tree --long` that lists an entry: mode, SHA, size, path


class NoHistory(UsageError):
    """Nothing at the source: neither a commit nor a folder (no history there yet)."""


def read(repository: Path, source: str) -> list[Entry]:
    """Every entry of the history at `source`, oldest first: a git ref of `repository`, or else a
    folder with the branch's files. A ref goes first: a folder of the same name in the checkout
    (a pull request's, say) does not stand in for it."""
    if gitrun.commit_of(repository, source):
        return read_ref(repository, source)
    folder = Path(source)
    if not folder.is_dir():
        raise NoHistory(f"{source}: neither a commit of {repository} nor a folder")
    marker = folder / MARKER
    if marker.is_symlink() or not marker.is_file():
        raise UsageError(f"{source}: no {MARKER} in this folder — not a checkout of the history")
    _check_marker(_read_small(marker, f"{source}:{MARKER}"), source)
    return _parse_all(source, _folder_files(folder, source))


def read_ref(repository: Path, ref: str) -> list[Entry]:
    """Every entry of the history at the git ref `ref` of `repository`, oldest first."""
    commit = gitrun.commit_of(repository, ref)
    if not commit:
        raise UsageError(f"{ref}: no such commit in {repository}")
    check_marker(repository, commit, ref)
    return _parse_all(ref, _ref_files(repository, commit, ref))


def check_marker(repository: Path, commit: str, source: str) -> None:
    """A `UsageError` unless `commit`'s tree holds carbon-gate's marker file at its root."""
    listed = gitrun.run(repository, "ls-tree", "-z", "--long", commit, "--", MARKER)
    if not listed:
        raise UsageError(
            f"{source} is not carbon-gate's history (no {MARKER} at its root) — name another "
            "branch with --branch; nothing was written"
        )
    meta = listed.split(b"\t", 1)[0].split()
    if meta[1] != b"blob" or meta[0].decode() not in _REGULAR or int(meta[3]) > ENTRY_LIMIT:
        raise UsageError(f"{source}:{MARKER}: not a small file")
    _check_marker(gitrun.run(repository, "cat-file", "blob", meta[2].decode()), source)


def _check_marker(content: bytes, source: str) -> None:
    try:
        marker = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        marker = None
    if not isinstance(marker, dict) or marker.get("format") != MARKER_FORMAT:
        raise UsageError(f'{source}:{MARKER}: not "format": "{MARKER_FORMAT}"')
    version = marker.get("version")
    if type(version) is not int or version != 1:
        raise UsageError(
            f"{source}:{MARKER}: history version {entries.shown(version)}; this carbon-gate "
            "reads version 1 — upgrade carbon-gate"
        )


def _ref_files(repository: Path, commit: str, source: str) -> Iterator[tuple[str, bytes]]:
    """The entry files under `runs/` at `commit`, sorted by path, read one at a time; every
    one's size, and their sum, checked before any is read."""
    objects: list[tuple[str, str]] = []
    total = 0
    listing = ("ls-tree", "-r", "-z", "--long", commit, "--", RUNS)
    with gitrun.reading(repository, *listing) as listed:
        for record in _records(listed, source):
            meta, _, raw = record.partition(b"\t")
            name = _name(raw, source)
            mode, kind, sha, size = (part.decode() for part in meta.split())
            if kind != "blob" or mode not in _REGULAR:
                where = f"{source}:{shown_name(name)}"
                raise UsageError(f"{where}: not a history entry file ({kind}, mode {mode})")
            total += int(size)
            _check_entry_file(source, name, int(size), len(objects), total)
            objects.append((name, sha))
    objects.sort()
    contents = gitrun.blobs(repository, [sha for _, sha in objects])
    yield from ((name, content) for (name, _), content in zip(objects, contents, strict=True))


def _records(listing: IO[bytes], source: str) -> Iterator[bytes]:
    """The NUL-ended records of `git ls-tree -z`, as git writes them: a tree of a few small
    objects can name one subtree many times and so list far more than memory holds."""
    pending = b""
    while chunk := listing.read(1 << 16):
        *records, pending = (pending + chunk).split(b"\0")
        yield from records
        if len(pending) > _RECORD:
            raise UsageError(f"{source}:{RUNS}: a name far too long for a history entry")
    if pending:
        yield pending


def _folder_files(folder: Path, source: str) -> Iterator[tuple[str, bytes]]:
    """The entry files under the folder's `runs/`, sorted by path, without following a link:
    runs/YYYY/MM/NAME.json, and nothing else (a deeper or stranger tree is refused by name)."""
    runs = folder / RUNS
    if runs.is_symlink():
        raise UsageError(f"{source}:{RUNS}: a link — not a history checkout")
    if not runs.is_dir():
        return
    found: list[tuple[str, os.DirEntry[str]]] = []
    total = 0
    for year in _listed(runs):
        for month in _listed(_folder(year, folder, source)):
            for file in _listed(_folder(month, folder, source)):
                name = Path(file.path).relative_to(folder).as_posix()
                if file.is_symlink() or not file.is_file(follow_symlinks=False):
                    raise UsageError(f"{source}:{shown_name(name)}: not a history entry file")
                size = file.stat(follow_symlinks=False).st_size
                total += size
                _check_entry_file(source, name, size, len(found), total)
                found.append((name, file))
    for name, file in sorted(found, key=lambda pair: pair[0]):
        yield name, _read_small(Path(file.path), f"{source}:{shown_name(name)}")


def _folder(entry: os.DirEntry[str], root: Path, source: str) -> Path:
    """`entry`, to be listed: a real folder, not a link to one."""
    path = Path(entry.path)
    if entry.is_symlink() or not entry.is_dir(follow_symlinks=False):
        name = shown_name(path.relative_to(root).as_posix())
        raise UsageError(f"{source}:{name}: not a folder of entries — not a history checkout")
    return path


def _listed(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as listing:
            return list(listing)
    except OSError as error:
        raise UsageError(f"{folder}: cannot list it: {error.strerror}") from None


def _read_small(path: Path, where: str) -> bytes:
    try:
        with path.open("rb") as file:
            content = file.read(ENTRY_LIMIT + 1)
    except OSError as error:
        raise UsageError(f"{where}: cannot read it: {error.strerror}") from None
    if len(content) > ENTRY_LIMIT:
        raise UsageError(f"{where}: larger than {ENTRY_LIMIT} bytes — not a history entry")
    return content


def _name(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        shown = shown_name(raw.decode("utf-8", errors="replace"))
        raise UsageError(f"{source}:{shown}: not a history entry (a name not in UTF-8)") from None


def shown_name(name: str) -> str:
    """A name from the branch as a message shows it: on one line, whatever it holds (a line
    break, U+2028, a control or bidi character is escaped as Python writes it), and short."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)
    return shown if len(shown) <= _SHOWN else shown[: _SHOWN - 3] + "..."


def _check_entry_file(source: str, name: str, size: int, count: int, total: int) -> None:
    """A `UsageError` for a file that cannot be an entry: its path, its size, one too many, one
    that brings the files so far (`total` bytes, its own included) over `TOTAL_LIMIT`."""
    where = f"{source}:{shown_name(name)}"
    if not _ENTRY_PATH.fullmatch(name):
        raise UsageError(f"{where}: not a history entry (entries are runs/YYYY/MM/NAME.json)")
    if size > ENTRY_LIMIT:
        raise UsageError(f"{where}: larger than {ENTRY_LIMIT} bytes — not a history entry")
    if count >= MAX_ENTRIES:
        raise UsageError(
            f"{source}: more than {MAX_ENTRIES:,} entries — not a history carbon-gate wrote"
        )
    if total > TOTAL_LIMIT:
        raise UsageError(
            f"{source}: its entries hold more than {TOTAL_LIMIT // 1_000_000} MB, what "
            f"{MAX_ENTRIES:,} runs as carbon-gate writes them hold — remove old runs from the "
            "branch (whole files under runs/), and any file that is no run"
        )


def _parse_all(source: str, files: Iterator[tuple[str, bytes]]) -> list[Entry]:
    found = []
    for name, content in files:
        where = f"{source}:{shown_name(name)}"
        try:
            document = json.loads(content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise UsageError(f"{where}: not a readable JSON file: {error}") from None
        found.append(entries.parse(document, where))
    return sorted(found, key=entries.moment)  # stable: runs of one moment stay in path order
