"""Zip archives, checked whole before a byte of any member is read (reliability.md, B.8).

Never extractall, never a member name used as a path: members are read with zf.open() in
bounded chunks into memory and handed to the format parsers; names are only labels.
"""

import re
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import BinaryIO

from articles.ingest import limits
from articles.ingest.base import IngestError

NESTED_ARCHIVES = {".zip", ".gz", ".tgz", ".tar", ".7z", ".rar", ".bz2", ".xz", ".jar"}
_DRIVE = re.compile(r"^[A-Za-z]:")
_IGNORED = re.compile(r"(^|/)(__MACOSX/|\._|\.DS_Store$|Thumbs\.db$)")

# (label, member name, stream, declared size) -> documents of that member
MemberReader = Callable[[str, str, BinaryIO, int], Iterator]


def check_member_name(name: str) -> str | None:
    """Why a member name is unsafe, or None."""
    if "\\" in name:
        return "contains a backslash"
    if name.startswith("/"):
        return "is an absolute path"
    if _DRIVE.match(name):
        return "starts with a drive letter"
    if ".." in PurePosixPath(name).parts:
        return "climbs out of the archive with '..'"
    if "\x00" in name:
        return "contains a NUL character"
    return None


def check_archive(zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The members to read, or IngestError naming the first reason to refuse the archive."""
    infos = zf.infolist()
    if len(infos) > limits.MAX_ZIP_MEMBERS:
        raise IngestError(f"the archive has {len(infos):,} members; the limit is {limits.MAX_ZIP_MEMBERS:,}")
    total = compressed = 0
    members = []
    for info in infos:
        name = info.filename
        if reason := check_member_name(name):
            raise IngestError(f"nothing in this archive was imported: its file {name[:200]!r} {reason}")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise IngestError(f"nothing in this archive was imported: its file {name[:200]!r} is a symbolic link")
        if info.flag_bits & 0x1:
            raise IngestError(f"nothing in this archive was imported: its file {name[:200]!r} is encrypted")
        if info.is_dir() or _IGNORED.search(name):
            continue
        if PurePosixPath(name).suffix.lower() in NESTED_ARCHIVES:
            raise IngestError(
                f"nothing in this archive was imported: its file {name[:200]!r} is itself an archive "
                "(nested archives are not opened: upload it on its own)"
            )
        if info.file_size > 64 * limits.KB and info.file_size > limits.MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise IngestError(
                f"nothing in this archive was imported: its file {name[:200]!r} expands more than "
                f"{limits.MAX_COMPRESSION_RATIO}:1 (a zip bomb?)"
            )
        total += info.file_size
        compressed += info.compress_size
        members.append(info)
    if total > limits.MAX_ZIP_TOTAL_UNCOMPRESSED:
        raise IngestError(
            f"the archive would expand to {limits.human_size(total)}; "
            f"the limit is {limits.human_size(limits.MAX_ZIP_TOTAL_UNCOMPRESSED)}"
        )
    if total > 64 * limits.KB and total > limits.MAX_COMPRESSION_RATIO * max(compressed, 1):
        raise IngestError(f"the archive expands more than {limits.MAX_COMPRESSION_RATIO}:1 overall (a zip bomb?)")
    return members


def zip_documents(name: str, stream: BinaryIO, size: int, read_member: MemberReader) -> Iterator:
    if size > limits.MAX_ZIP_BYTES:
        yield (
            name,
            IngestError(
                f"the archive is {limits.human_size(size)}; the limit is {limits.human_size(limits.MAX_ZIP_BYTES)}"
            ),
        )
        return
    try:
        zf = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        yield name, IngestError("this is not a readable zip archive: it is damaged, or not a zip file at all")
        return
    with zf:
        try:
            members = check_archive(zf)
        except IngestError as exc:
            yield name, exc
            return
        if not members:
            yield name, IngestError("the archive holds no files")
            return
        for info in members:
            label = f"{name} › {info.filename}"
            try:
                with zf.open(info) as member:
                    yield from read_member(label, info.filename, member, info.file_size)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError):
                yield (
                    label,
                    IngestError(
                        "this file of the archive is damaged or compressed in a way Newsroom cannot read; "
                        "the other files of the archive were read"
                    ),
                )


def read_bounded(stream: BinaryIO, limit: int, what: str) -> bytes:
    """At most `limit` bytes, read in chunks; IngestError when there are more."""
    chunks, total = [], 0
    while chunk := stream.read(min(1024 * 1024, limit + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise IngestError(f"the {what} is larger than {limits.human_size(limit)}, the limit for this file type")
    return b"".join(chunks)
