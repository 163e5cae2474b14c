"""Where the team's shared data (corpora, real agency samples, gazetteer sources, never
committed) is for a checkout: `find_shared_data`, used by the tests, commands and benchmarks
that read it. docs/configuration.md describes NEWSROOM_SHARED_DATA."""

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError

SHARED_DATA_VARIABLE = "NEWSROOM_SHARED_DATA"
GIT_TIMEOUT_SECONDS = 5


def find_shared_data(checkout: Path, environ: Mapping[str, str] = os.environ) -> Path | None:
    """The shared data directory for `checkout`, or None when there is none to be found.

    In order: the directory NEWSROOM_SHARED_DATA names (ImproperlyConfigured when it is set
    but no directory); `shared/data` beside the checkout; when the checkout is a worktree or a
    clone of a repository on this machine, `shared/data` beside that repository (a worktree's
    main checkout, from `git rev-parse --git-common-dir`; a clone's origin, when
    `remote.origin.url` is a local path). Git is asked with a timeout and its absence or
    failure only means "not found"."""
    named = environ.get(SHARED_DATA_VARIABLE, "")
    if named:
        path = Path(named).expanduser()
        if not path.is_dir():
            raise ImproperlyConfigured(f"{SHARED_DATA_VARIABLE}={named} is not a directory")
        return path.resolve()
    for repository in [checkout, *_related_repositories(checkout)]:
        candidate = repository.parent / "shared" / "data"
        if candidate.is_dir():
            return candidate.resolve()
    return None


def shared_data_for_command(checkout: Path) -> Path | None:
    """find_shared_data for a management command, looked up when the command runs (not when
    its module is imported): a NEWSROOM_SHARED_DATA naming no directory is the command's error."""
    try:
        return find_shared_data(checkout)
    except ImproperlyConfigured as error:
        raise CommandError(str(error)) from None


def _related_repositories(checkout: Path) -> list[Path]:
    """The main checkout of a worktree, then the origin of a clone (and that origin's main
    checkout, when the origin is itself a worktree), as far as git tells."""
    found = []
    common = _git(checkout, "rev-parse", "--path-format=absolute", "--git-common-dir")
    if common:
        found.append(_working_tree_of(Path(common)))
    origin = _local_path(_git(checkout, "config", "--get", "remote.origin.url") or "")
    if origin is not None and origin.is_dir():
        origin = _working_tree_of(origin)
        found.append(origin)
        common = _git(origin, "rev-parse", "--path-format=absolute", "--git-common-dir")
        if common:
            found.append(_working_tree_of(Path(common)))
    return found


def _working_tree_of(git_dir: Path) -> Path:
    # A non-bare repository's git directory is its ".git"; a bare one stands for itself.
    return git_dir.parent if git_dir.name == ".git" else git_dir


def _local_path(url: str) -> Path | None:
    """The directory a remote URL names on this machine: an absolute path or a file:// URL
    (anything else, "host:path" or https://, is another machine)."""
    if url.startswith("file://"):
        return Path(unquote(urlparse(url).path))
    if os.path.isabs(url):
        return Path(url)
    return None


def _git(cwd: Path, *args: str) -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    # GIT_DIR and friends (set inside a git hook) would point git at another repository, and
    # a folder that is no repository must not be read as part of one above it.
    env = {name: value for name, value in os.environ.items() if not name.startswith("GIT_")}
    env["GIT_CEILING_DIRECTORIES"] = str(Path(cwd).resolve().parent)
    try:
        done = subprocess.run(  # noqa: S603 - fixed git arguments, no shell
            [git, "-C", str(cwd), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            env=env,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None  # git could not run, or hung
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None
