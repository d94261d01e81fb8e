"""The README's one install line is what a fresh Debian machine needs for `make test` (#11).

`.ci/run` runs that very line (it reads it from the README), so the documentation and CI
cannot drift apart; this test ties the line to the libraries the code asks for.
"""

import re
from pathlib import Path

from clauses.reporting import pdf

ROOT = Path(__file__).resolve().parents[2]


def _install_line() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- install-line -->\s*```sh\n(apt-get install -y [^\n]+)\n```", readme)
    assert match, "README : la ligne d'installation (marqueur install-line) est introuvable"
    return match.group(1)


def test_readme_install_line_names_the_pdf_libraries():
    packages = _install_line().removeprefix("apt-get install -y ").split()
    for package in pdf.PACKAGES.split():
        assert package in packages, f"{package} manque à la ligne d'installation du README"


def test_ci_runs_the_readme_install_line():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "readme_install_line" in ci
    assert "system_packages_up" in ci
