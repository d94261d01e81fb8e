"""Checking an attachment by its CONTENT before anything is stored.

The name and the Content-Type sent by the browser are never trusted: an executable renamed
`devis.pdf` is refused because it does not start with `%PDF-`. Accepted types:

- PDF: starts with `%PDF-`;
- DOCX / XLSX: a ZIP archive holding `[Content_Types].xml` that declares the main part of a
  Word document (`…wordprocessingml.document.main+xml`) or an Excel workbook
  (`…spreadsheetml.sheet.main+xml`; macro-enabled workbooks are refused);
- ODT / ODS: a ZIP archive whose `mimetype` entry is exactly
  `application/vnd.oasis.opendocument.text` / `…spreadsheet`;
- CSV: text decodable as UTF-8 (or Windows-1252), without NUL bytes, and a `.csv` name
  (plain text has no signature: the name decides between CSV and any other text).

Limits (size of one file, number of files) come from `CLAUSES_DESK_MAX_ATTACHMENT_MB` and
`CLAUSES_DESK_MAX_ATTACHMENTS`. Every message is in French and names the file.
"""

import hashlib
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from clauses.core.spreadsheets import SpreadsheetError, decode_text
from clauses.desk.conf import desk_settings
from clauses.desk.enums import AttachmentType

ACCEPTED_TYPES_TEXT = "PDF, DOCX, XLSX, ODT, ODS ou CSV"

_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        AttachmentType.DOCX
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        AttachmentType.XLSX
    ),
}
_ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": AttachmentType.ODT,
    b"application/vnd.oasis.opendocument.spreadsheet": AttachmentType.ODS,
}
# Archive bombs: the declared uncompressed size of the parts we read is bounded.
_MAX_XML_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the checks: its content, ready to be stored."""

    name: str
    content: bytes
    detected_type: AttachmentType
    size: int
    sha256: str


MIME_TYPES = {
    AttachmentType.PDF: "application/pdf",
    AttachmentType.DOCX: (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    AttachmentType.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    AttachmentType.ODT: "application/vnd.oasis.opendocument.text",
    AttachmentType.ODS: "application/vnd.oasis.opendocument.spreadsheet",
    AttachmentType.CSV: "text/csv; charset=utf-8",
}


def content_type_of(detected_type: str) -> str:
    """The content type to serve a stored file with: from its detected type (#11.9)."""
    return MIME_TYPES.get(detected_type, "application/octet-stream")


def download_name(original_name: str, detected_type: str) -> str:
    """The name offered for download: the original one, with the detected type's extension
    added when the name says otherwise (`page.html` holding a PDF → `page.html.pdf`)."""
    name = original_name or "piece-jointe"
    if detected_type in MIME_TYPES and _extension(name) != detected_type:
        return f"{name}.{detected_type}"
    return name


def _safe_name(name: str) -> str:
    base = (name or "fichier").replace("\\", "/").rsplit("/", 1)[-1].strip()
    base = "".join(ch for ch in base if ch.isprintable())
    return (base or "fichier")[:200]


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _zip_type(content: bytes) -> AttachmentType | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError):
        return None
    with archive:
        names = set(archive.namelist())
        if "mimetype" in names:
            info = archive.getinfo("mimetype")
            if info.file_size <= 200:
                kind = _ODF_MIMETYPES.get(archive.read("mimetype").strip())
                if kind is not None:
                    return kind
        if "[Content_Types].xml" in names:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > _MAX_XML_BYTES:
                return None
            types = archive.read("[Content_Types].xml").decode("utf-8", errors="replace")
            for content_type, kind in _OOXML_MAIN.items():
                if f'ContentType="{content_type}"' in types:
                    return kind
    return None


def _is_text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    try:
        decode_text(content)
    except SpreadsheetError:
        return False
    return True


def detect_type(name: str, content: bytes) -> AttachmentType | None:
    """The type of a file from its content (and, for CSV only, its name); None if refused."""
    if content.startswith(b"%PDF-"):
        return AttachmentType.PDF
    if content.startswith(b"PK\x03\x04"):
        return _zip_type(content)
    if _extension(name) == "csv" and content and _is_text(content):
        return AttachmentType.CSV
    return None


def _read(upload: UploadedFile | tuple[str, bytes], limit: int) -> tuple[str, bytes, int]:
    """Name, content (at most limit + 1 bytes read) and real size."""
    if isinstance(upload, tuple):
        name, content = upload
        return name, content, len(content)
    size = upload.size or 0
    if size > limit:
        return upload.name or "", b"", size
    upload.seek(0)
    content = upload.read(limit + 1)
    return upload.name or "", content, len(content)


def check_attachments(
    uploads: Sequence[UploadedFile | tuple[str, bytes]], *, field: str = "attachments"
) -> list[CheckedFile]:
    """Check every file (count, size, type by content); raise one ValidationError on
    `field` listing every problem, in French. Accepts uploaded files or (name, bytes)."""
    conf = desk_settings()
    errors: list[str] = []
    if len(uploads) > conf.max_attachments:
        raise ValidationError(
            {
                field: (
                    f"Vous pouvez joindre au plus {conf.max_attachments} fichiers "
                    f"({len(uploads)} envoyés)."
                )
            }
        )
    checked: list[CheckedFile] = []
    megabytes = conf.max_attachment_bytes // (1024 * 1024)
    for upload in uploads:
        raw_name, content, size = _read(upload, conf.max_attachment_bytes)
        name = _safe_name(raw_name)
        if size > conf.max_attachment_bytes:
            errors.append(f"« {name} » dépasse la taille maximale de {megabytes} Mo.")
            continue
        if size == 0:
            errors.append(f"« {name} » est vide.")
            continue
        kind = detect_type(name, content)
        if kind is None:
            errors.append(
                f"« {name} » n'est pas un fichier accepté : son contenu n'est pas celui d'un "
                f"fichier {ACCEPTED_TYPES_TEXT}."
            )
            continue
        checked.append(
            CheckedFile(
                name=name,
                content=content,
                detected_type=kind,
                size=size,
                sha256=hashlib.sha256(content).hexdigest(),
            )
        )
    if errors:
        raise ValidationError({field: errors})
    return checked
