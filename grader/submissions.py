"""Finding a class's submissions: ``SUBMISSIONS/<student>/<kata>.py`` or ``<student>.zip``.

Anything else in the folder is ignored and listed once, so an instructor sees
what was skipped. Zips are unpacked safely (no paths outside the target, size
limits) into a private folder before grading.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_ZIP_MEMBER_BYTES = 1024 * 1024
MAX_ZIP_MEMBERS = 200


@dataclass(frozen=True)
class Submission:
    student: str
    files: dict[str, Path]  # kata id -> file
    source: str  # "folder" or "zip"


@dataclass(frozen=True)
class Discovery:
    submissions: list[Submission]
    ignored: list[str] = field(default_factory=list)


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _unpack(archive: Path, target: Path, kata_ids: set[str], ignored: list[str]) -> dict[str, Path]:
    files: dict[str, Path] = {}
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = [m for m in zipped.infolist() if not m.is_dir()]
            if len(members) > MAX_ZIP_MEMBERS:
                ignored.append(f"{archive.name}: more than {MAX_ZIP_MEMBERS} files, not unpacked")
                return {}
            for member in members:
                name = PurePosixPath(member.filename).name
                kata_id = name.removesuffix(".py")
                if not name.endswith(".py") or kata_id not in kata_ids:
                    ignored.append(f"{archive.name}:{member.filename}")
                    continue
                if member.file_size > MAX_ZIP_MEMBER_BYTES:
                    ignored.append(f"{archive.name}:{member.filename} (over 1 MiB)")
                    continue
                if kata_id in files:
                    ignored.append(f"{archive.name}:{member.filename} (a second {name})")
                    continue
                target.mkdir(parents=True, exist_ok=True)
                destination = target / name  # the base name only: no path can escape target
                destination.write_bytes(zipped.read(member)[:MAX_ZIP_MEMBER_BYTES])
                files[kata_id] = destination
    except (zipfile.BadZipFile, OSError) as error:
        ignored.append(f"{archive.name}: not a readable zip ({error})")
    return files


def discover(folder: Path, kata_ids: set[str], unpack_to: Path) -> Discovery:
    """Every student's kata files; what does not fit the layout goes to ``ignored``."""
    submissions: dict[str, Submission] = {}
    ignored: list[str] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            ignored.append(entry.name)
        elif entry.is_dir():
            files = {}
            for path in sorted(entry.iterdir()):
                kata_id = path.name.removesuffix(".py")
                if path.is_file() and path.suffix == ".py" and kata_id in kata_ids:
                    files[kata_id] = path
                else:
                    ignored.append(f"{entry.name}/{path.name}")
            submissions[entry.name] = Submission(entry.name, files, "folder")
        elif entry.suffix == ".zip" and entry.is_file():
            student = entry.stem
            if student in submissions:
                ignored.append(f"{entry.name} (the folder {student}/ is graded instead)")
                continue
            files = _unpack(entry, unpack_to / student, kata_ids, ignored)
            submissions[student] = Submission(student, files, "zip")
        else:
            ignored.append(entry.name)
    return Discovery(sorted(submissions.values(), key=lambda s: s.student), ignored)
