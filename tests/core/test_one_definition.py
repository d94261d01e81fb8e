"""Each shared helper has one definition, in clauses/core (#16.2): month arithmetic in
dates.py, text folding in text.py, token making and hashing in tokens.py, spreadsheet
reading, the neutralising of written cells, number formats and sheet names in
spreadsheets.py, French number parsing in numbers.py. A second copy drifts (two
add_months, four foldings, three decimal parsers did); this test names the tell-tale
calls so that a new copy fails here."""

import pathlib
import re

import clauses

ROOT = pathlib.Path(clauses.__file__).parent

# pattern → the only module allowed to use it
OWNERS = {
    r"\bdef (add_months|first_of_month|last_of_month)\(": "core/dates.py",
    r"calendar\.monthrange\(": "core/dates.py",
    r"\bdef (fold|compact|strip_accents)\(": "core/text.py",
    r"unicodedata\.normalize\(": "core/text.py",
    r"\bdef (make_token|hash_token|new_token)\(": "core/tokens.py",
    r"secrets\.token_urlsafe\(": "core/tokens.py",
    r"\bdef neutralise\(|load_workbook\(": "core/spreadsheets.py",
    # Sheet names and number formats of the exports (#12.12): one rule for every workbook.
    r"\bdef _?sheet_title\(|[\"']#,##0|[\"']0\.?0*%[\"']": "core/spreadsheets.py",
    r"\bdef parse_decimal\(|\bdef parse_integer\(": "core/numbers.py",
}


def test_each_helper_is_defined_once_in_core():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        name = str(path.relative_to(ROOT))
        if "/migrations/" in f"/{name}":
            continue
        text = path.read_text()
        for pattern, owner in OWNERS.items():
            if name != owner and re.search(pattern, text):
                found.append(f"{name}: {pattern}")
    assert found == []
