"""PDF of a report: WeasyPrint renders the report's print template (French, A4).

WeasyPrint needs Pango and HarfBuzz's subsetter (Debian: libpango-1.0-0, libpangoft2-1.0-0,
libharfbuzz-subset0 — the README's install line). Without Pango the import fails; without the
subsetter WeasyPrint only warns (and embeds whole fonts). Either way `PdfUnavailable` carries a
message saying what to install, in French and English, instead of a bare traceback.
"""

import warnings

from django.template.loader import render_to_string

from clauses.reporting.reports import Report

PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
INSTALL_HINT = (
    f"WeasyPrint ne trouve pas ses bibliothèques système : installez « apt-get install -y "
    f"{PACKAGES} ». / WeasyPrint cannot load its system libraries: install {PACKAGES}."
)


class PdfUnavailable(RuntimeError):
    """The PDF library (or its system libraries) cannot be loaded."""


def load_weasyprint():  # noqa: ANN201 - the module
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            import weasyprint
        except (ImportError, OSError) as error:
            raise PdfUnavailable(f"{INSTALL_HINT} ({error})") from error
    # Only the first import warns: a missing system library is reported there, once.
    for warning in caught:
        if "HarfBuzz" in str(warning.message) or "Pango" in str(warning.message):
            raise PdfUnavailable(f"{INSTALL_HINT} ({warning.message})")
    return weasyprint


def report_pdf(report: Report, *, base_url: str | None = None) -> bytes:
    weasyprint = load_weasyprint()
    html = render_to_string("reporting/report_pdf.html", {"report": report})
    return weasyprint.HTML(string=html, base_url=base_url).write_pdf()
