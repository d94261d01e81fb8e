"""A deterministic synthetic dataset at the size of a region or of France, for benchmarks:
`python -m bench.dataset --scale tiny|region|national [--years N] [--seed S] --wet-run`.

Everything goes through the project's own rules, not raw rows that break invariants:
hour targets by `markets.rules.estimate_hours`, routing of the desk's requests by
`desk.rules.route` (facts gathered in memory from the same coverage the desk reads),
eligibility validity by `followup.rules.valid_until`, identity keys by
`followup.identity.identity_key`, declared hours checked by `hours.rules.check_hours` (the
monthly ceiling: one person has one assignment at a time here) and counted by
`hours.rules.count_declaration` (with a memo for months wholly inside the assignment and the
eligibility window, whose result depends only on the hours, the modality and the training
flag — the rule is still what computes it). Outcome categories by
`followup.rules.outcome_category`.

Territories: the reference data holds Île-de-France only. The national scale adds 17
**synthetic regions** (codes R01…R17, named "Région synthétique …"), 5 synthetic
départements each and ~300 synthetic communes per département, each with its
regional and departmental coordinations and ~4 facilitator structures: the volume of France,
on territories that are not real. The synthetic départements take the codes of the real
départements outside Île-de-France (01, 02…, so that the desk's validation of INSEE codes
accepts their communes) but are named "Département synthétique NN (…)"; their communes have
INSEE codes NN001…NN300 and names made from IDF names with a suffix ("Montreuil-sur-Loire"):
they do not match the real communes of those codes. The IDF part uses the real reference network.

Rows are written in bulk: PostgreSQL `COPY` (psycopg 3) from a writer thread, so that the
database works while Python generates the next chunk; `executemany` batches on SQLite.
Primary keys are assigned here (from the current maximum), sequences are reset at the end.
On PostgreSQL, foreign-key triggers are switched off during the load
(`session_replication_role = replica`, superuser only, else kept) and an orphan check runs
at the end instead.

One module per domain, called in this order by `Generator.run` (`generator.py`):
`territories`, `network`, `organisations`, `markets`, `followup` (with `hours` for the
monthly declarations), `desk`; `common.py` holds the scales and the vocabulary, `sink.py`
the bulk writing. One `random.Random(seed)` is drawn in a fixed order: the same seed and the
same `today` give the same rows.
"""

from bench.dataset.common import SCALES, Scale
from bench.dataset.generator import Generator, StructureInfo, Summary
from bench.dataset.sink import Progress

__all__ = ["SCALES", "Generator", "Progress", "Scale", "StructureInfo", "Summary"]
