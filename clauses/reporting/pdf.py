"""PDF of a report: WeasyPrint renders the report's print template (French, A4).

WeasyPrint needs Pango (Debian: libpango-1.0-0, libpangoft2-1.0-0). Without it the import
fails: `PdfUnavailable` carries a message saying what to install, in French and English.
"""

from django.template.loader import render_to_string

from clauses.reporting.reports import Report

INSTALL_HINT = (
    "WeasyPrint ne trouve pas Pango : installez « apt-get install -y libpango-1.0-0 "
    "libpangoft2-1.0-0 ». / WeasyPrint cannot load Pango: install libpango-1.0-0 and "
    "libpangoft2-1.0-0."
)


class PdfUnavailable(RuntimeError):
    """The PDF library (or its system libraries) cannot be loaded."""


def load_weasyprint():  # noqa: ANN201 - the module
    try:
        import weasyprint
    except (ImportError, OSError) as error:
        raise PdfUnavailable(f"{INSTALL_HINT} ({error})") from error
    return weasyprint


def report_pdf(report: Report, *, base_url: str | None = None) -> bytes:
    weasyprint = load_weasyprint()
    html = render_to_string("reporting/report_pdf.html", {"report": report})
    return weasyprint.HTML(string=html, base_url=base_url).write_pdf()
