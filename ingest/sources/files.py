"""Local files, folders and glob patterns as ingest objects."""

import glob
import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from ingest.models import IngestedObject, key_digest
from logparsers.common import ParseStats

READ_CHUNK_BYTES = 1024 * 1024


class FileObject:
    """A local file, known by its path, size and modification time, or by its content hash."""

    def __init__(self, path: Path) -> None:
        self.path = path.resolve()
        self.name = str(self.path)
        stat = self.path.stat()
        self.version = f"{stat.st_size}:{stat.st_mtime_ns}"
        self._sha256: str | None = None

    def chunks(self) -> Iterable[bytes]:
        with self.path.open("rb") as handle:
            while chunk := handle.read(READ_CHUNK_BYTES):
                yield chunk

    def content_sha256(self) -> str:
        if self._sha256 is None:
            digest = hashlib.sha256()
            for chunk in self.chunks():
                digest.update(chunk)
            self._sha256 = digest.hexdigest()
        return self._sha256

    def is_ingested(self) -> bool:
        files = IngestedObject.objects.filter(kind=IngestedObject.Kind.FILE)
        if files.filter(key_hash=key_digest(self.name), version=self.version).exists():
            return True
        return files.filter(content_sha256=self.content_sha256()).exists()

    def mark_ingested(self, log_format: str, stats: ParseStats) -> None:
        IngestedObject.objects.create(
            kind=IngestedObject.Kind.FILE,
            key=self.name,
            version=self.version,
            content_sha256=self.content_sha256(),
            log_format=log_format,
            records=stats.records,
            flows=stats.flows,
            nodata=stats.nodata,
            skipdata=stats.skipdata,
            malformed=stats.malformed,
        )


def file_objects(spec: str) -> Iterator[FileObject]:
    """Yield a file, every file under a folder, or every file a glob pattern matches, sorted."""
    path = Path(spec)
    if path.is_dir():
        paths = sorted(p for p in path.rglob("*") if p.is_file())
    elif path.is_file():
        paths = [path]
    else:
        paths = sorted(Path(p) for p in glob.glob(spec, recursive=True) if Path(p).is_file())
        if not paths:
            raise FileNotFoundError(f"{spec}: no such file, folder, or matching file")
    for found in paths:
        yield FileObject(found)
