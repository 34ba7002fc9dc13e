"""Zip containers (DOCX, EPUB) opened within limits: zip bombs are refused before and while
unpacking, and XML parts that declare a DTD (entity bombs, external entities) are refused."""

from __future__ import annotations

import io
import zipfile

from .contract import LimitExceededError, ReadError, ReadLimits, megabytes

RATIO_FLOOR = 1_000_000  # members and archives smaller than this unpacked are not ratio-checked
_CHUNK = 1 << 16
_DTD_MARKS = tuple(
    mark.encode(codec)
    for mark in ("<!DOCTYPE", "<!ENTITY")
    for codec in ("utf-8", "utf-16-le", "utf-16-be")
)


class SafeZip:
    """A zip archive whose directory passed the limits; members are read with the limits kept."""

    def __init__(self, data: bytes, limits: ReadLimits) -> None:
        self.limits = limits
        self.unpacked = 0
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
            infos = self.archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise ReadError("not a readable zip archive (truncated or damaged)") from exc
        self.infos = {info.filename: info for info in infos}
        _check_directory(infos, len(data), limits)

    def names(self) -> list[str]:
        return list(self.infos)

    def read(self, name: str) -> bytes:
        """The member's bytes; stops past its declared size or the archive's total budget."""
        info = self.infos.get(name)
        if info is None:
            raise ReadError(f"the archive has no {name}")
        cap = min(info.file_size, self.limits.max_member)
        parts: list[bytes] = []
        size = 0
        try:
            with self.archive.open(info) as member:
                while chunk := member.read(_CHUNK):
                    size += len(chunk)
                    self.unpacked += len(chunk)
                    if size > cap or self.unpacked > self.limits.max_unzipped:
                        raise _bomb(f"{name} unpacks to more than its directory says")
                    parts.append(chunk)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:
            raise ReadError(f"{name} in the archive cannot be unpacked ({exc})") from exc
        return b"".join(parts)

    def check_all(self, *, xml_without_dtd: bool) -> None:
        """Unpack every member once within the limits (the directory may lie about sizes).

        With ``xml_without_dtd``, an .xml or .rels part that declares a DTD is refused: Office
        files never need one, and entity tricks need one.
        """
        for name in self.infos:
            data = self.read(name)
            if xml_without_dtd and name.endswith((".xml", ".rels")) and _declares_dtd(data):
                raise ReadError(f"{name} declares a DTD (entity expansion refused)")


def _check_directory(infos: list[zipfile.ZipInfo], packed: int, limits: ReadLimits) -> None:
    if len(infos) > limits.max_members:
        raise _bomb(f"more than {limits.max_members} members")
    total = sum(info.file_size for info in infos)
    if total > limits.max_unzipped:
        raise _bomb(f"unpacks to more than {megabytes(limits.max_unzipped)}")
    if total > RATIO_FLOOR and total > limits.max_ratio * max(packed, 1):
        raise _bomb(f"unpacks to more than {limits.max_ratio:g} times its size")
    for info in infos:
        if info.file_size > limits.max_member:
            raise _bomb(f"{info.filename} unpacks to more than {megabytes(limits.max_member)}")
        ratio_floor = info.file_size > RATIO_FLOOR
        if ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise _bomb(f"{info.filename} unpacks to more than {limits.max_ratio:g} times its size")


def _declares_dtd(data: bytes) -> bool:
    return any(mark in data for mark in _DTD_MARKS)


def _bomb(why: str) -> LimitExceededError:
    return LimitExceededError(f"zip bomb refused: the archive {why}")
