"""The history benchmark runs on a small file and leaves nothing behind."""

import pytest

from bench import history
from clauses.followup.models import Participant
from clauses.history.models import HistoryImport

pytestmark = pytest.mark.django_db


def test_the_benchmark_imports_then_matches_and_rolls_back():
    results = history.run(300)
    first, again = results
    assert first.extra["counts"]["hours"]["created"] == 300
    assert first.reference_ms is not None
    assert again.met is True  # the same file again creates nothing
    assert not HistoryImport.objects.exists()
    assert not Participant.objects.filter(last_name__startswith="Historique").exists()


def test_the_generated_file_is_the_same_for_the_same_seed():
    assert history.generate(200) == history.generate(200)
    assert history.generate(200).count(b"\n") == 201
