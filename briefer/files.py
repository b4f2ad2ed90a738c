"""Walking a source directory someone else may have filled: links, loops, unreadable parts.

A directory of articles is often written by another program (a scraper, a sync job), so what
is in it is not trusted more than a feed:

- a symbolic link (to a file or a directory) that leads outside the source root it was found
  in is skipped with one warning: ``key.txt -> ~/.ssh/id_rsa`` must never become an article
  that is e-mailed out. Naming the link itself as a source reads it: that is the user's choice.
- links to directories inside the root are not followed (what they point at is read where it
  is), so a loop (``sub/loop -> ..``) is never walked twice, let alone forever;
- a broken link or a link loop is skipped with a warning, never an exception;
- a subdirectory that cannot be listed is reported, not silently left out;
- file names shown (article ids, the outlet of an article without one, warnings) are cleaned
  the way titles are: no line breaks, control characters or bidi overrides.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable
from pathlib import Path

from .text import one_line
from .types import Skipped

log = logging.getLogger(__name__)

__all__ = ["file_id", "shown", "walk"]


def walk(root: Path, suffixes: Iterable[str], skipped: list[Skipped]) -> list[Path]:
    """The files under ``root`` with one of ``suffixes``, sorted, hidden parts left out.

    Links out of ``root``, broken links, loops and unreadable subdirectories are added to
    ``skipped`` (and logged once each).
    """
    wanted = tuple(s.lower() for s in suffixes)
    real_root = real_path(root)
    if real_root is None:
        _skip(skipped, root, "a symbolic link loop or an unreadable directory")
        return []
    found: list[Path] = []

    def unreadable(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else root
        if where != root and where.name.startswith("."):
            return
        _skip(skipped, where, f"directory not read ({exc.strerror or exc})")

    for top, dirs, names in os.walk(root, onerror=unreadable, followlinks=False):
        here = Path(top)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in list(dirs):
            path = here / name
            if not path.is_symlink():
                continue
            dirs.remove(name)  # never descend through a link: no loop, no second copy
            target = real_path(path)
            if target is None:
                _skip(skipped, path, "a symbolic link loop or a broken link")
            elif not _inside(target, real_root):
                _skip(skipped, path, "a symbolic link to a directory outside the source "
                                     "directory (name it as a source to read it)")
            else:
                log.debug("%s: a link inside the source directory, read where it points", path)
        for name in sorted(names):
            path = here / name
            if name.startswith(".") or path.suffix.lower() not in wanted:
                continue
            if path.is_symlink():
                target = real_path(path)
                if target is None or not target.is_file():
                    _skip(skipped, path, "a broken symbolic link or a link loop")
                    continue
                if not _inside(target, real_root):
                    _skip(skipped, path, "a symbolic link to a file outside the source "
                                         "directory (name it as a source to read it)")
                    continue
            elif not path.is_file():
                continue  # a socket, a FIFO, a device
            found.append(path)
    return sorted(found)


def real_path(path: Path) -> Path | None:
    """``path`` with every link resolved, or None for a loop, a broken link, a denied part."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: a link loop, before Python 3.13
        return None
    return real


def file_id(path: Path) -> str:
    """An article id from a file name: its stem cleaned like a title (a hash if nothing is left)."""
    cleaned = one_line(path.stem)
    return cleaned or hashlib.sha256(os.fsencode(path.name)).hexdigest()[:16]


def shown(path: Path | str) -> str:
    """A path for a message or ``skipped``: one line, no control characters or bidi overrides."""
    return one_line(os.fsdecode(path) if not isinstance(path, str) else path)


def _inside(target: Path, root: Path) -> bool:
    return target == root or target.is_relative_to(root)


def _skip(skipped: list[Skipped], path: Path, reason: str) -> None:
    log.warning("skipped %s: %s", shown(path), reason)
    skipped.append(Skipped(shown(path), reason))
