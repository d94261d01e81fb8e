"""Attachments are checked by their content: type, size, count; French messages."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from clauses.desk.attachments import check_attachments, detect_type

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _ooxml(main: str) -> bytes:
    types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'content-types"><Override PartName="/main.xml" ContentType="{main}"/></Types>'
    )
    return _zip({"[Content_Types].xml": types.encode(), "main.xml": b"<x/>"})


DOCX = _ooxml("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")
XLSX = _ooxml("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
XLSM = _ooxml("application/vnd.ms-excel.sheet.macroEnabled.main+xml")
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
ODS = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("devis.pdf", PDF, "pdf"),
        ("programme.docx", DOCX, "docx"),
        ("programme.xlsx", XLSX, "xlsx"),
        ("note.odt", ODT, "odt"),
        ("tableau.ods", ODS, "ods"),
        ("liste.csv", b"commune;heures\nSaint-Denis;1200\n", "csv"),
        ("liste.csv", "Montreuil;é\n".encode("cp1252"), "csv"),
        # A PDF stays a PDF whatever its name.
        ("devis.docx", PDF, "pdf"),
    ],
)
def test_accepted_types_are_detected_by_content(name, content, expected):
    assert detect_type(name, content) == expected


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("devis.pdf", EXE),  # an executable renamed .pdf
        ("programme.xlsx", _zip({"a.txt": b"x"})),  # a zip that is not a workbook
        ("macro.xlsx", XLSM),  # a macro-enabled workbook
        ("liste.csv", b"a;b\x00c"),  # NUL bytes: binary
        ("notes.txt", b"du texte"),  # text, but not a CSV
        ("faux.xlsx", b"PK\x03\x04 pas vraiment une archive"),
    ],
)
def test_disguised_or_unknown_files_are_refused(name, content):
    assert detect_type(name, content) is None
    with pytest.raises(ValidationError) as error:
        check_attachments([(name, content)])
    (message,) = error.value.message_dict["attachments"]
    assert f"« {name} » n'est pas un fichier accepté" in message


def test_size_limit(settings):
    settings.CLAUSES_DESK_MAX_ATTACHMENT_MB = 1
    big = SimpleUploadedFile("gros.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        check_attachments([big])
    assert error.value.message_dict["attachments"] == [
        "« gros.pdf » dépasse la taille maximale de 1 Mo."
    ]


def test_count_limit(settings):
    settings.CLAUSES_DESK_MAX_ATTACHMENTS = 2
    with pytest.raises(ValidationError) as error:
        check_attachments([("a.pdf", PDF)] * 3)
    assert "au plus 2 fichiers" in error.value.message_dict["attachments"][0]


def test_empty_file_and_every_problem_listed():
    with pytest.raises(ValidationError) as error:
        check_attachments([("vide.pdf", b""), ("virus.pdf", EXE), ("ok.pdf", PDF)])
    messages = error.value.message_dict["attachments"]
    assert len(messages) == 2
    assert "« vide.pdf » est vide." in messages


def test_uploaded_files_are_read_and_hashed():
    upload = SimpleUploadedFile("../../etc/devis.pdf", PDF, content_type="text/plain")
    (checked,) = check_attachments([upload])
    assert checked.name == "devis.pdf"
    assert checked.size == len(PDF)
    assert len(checked.sha256) == 64
