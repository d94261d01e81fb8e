"""The DECP import: formats, bad records, idempotency, modifications, the command, the task."""

import io
import json
import threading
from pathlib import Path

import pytest
from django.core.management import call_command

from clauses.observatory import parsing, services, tasks
from clauses.observatory.models import PublishedContract
from tests.observatory.conftest import BUYER_93, DATA, market

pytestmark = pytest.mark.django_db


def test_official_examples_are_read(tmp_path):
    report = services.import_file(DATA / "exemple_officiel_marches_concessions.json", wet_run=True)
    assert (report.read, report.created, report.skipped) == (4, 4, 0)
    concession = PublishedContract.objects.get(category="concession", decp_id="0612202306122024")
    assert concession.social_status == "yes"
    assert concession.kind == "works"
    market_row = PublishedContract.objects.filter(category="market").first()
    assert market_row.department_code == "75"  # postcode 75000
    assert market_row.region_code == "11"


def test_modifications_latest_wins_and_count_once():
    report = services.import_file(
        DATA / "exemple_officiel_concessions_avec_modifications.json", wet_run=True
    )
    assert report.created == 2
    row = PublishedContract.objects.get(uid="123456789012500612202306122024")
    assert float(row.amount) == 25.0  # valeurGlobale of modification 1
    assert row.duration_months == 14
    assert row.modification_rank == 1


def test_latest_modification_by_date_not_by_position(decp_file):
    changes = [
        {"modification": {"id": 2, "montant": 300, "dateNotificationModification": "2025-06-01"}},
        {"modification": {"id": 1, "montant": 200, "dateNotificationModification": "2025-05-01"}},
    ]
    services.import_file(decp_file([market("M1", modifications=changes)]), wet_run=True)
    assert float(PublishedContract.objects.get().amount) == 300


def test_reimport_is_idempotent_and_an_older_version_does_not_overwrite(decp_file, tmp_path):
    changes = [{"modification": {"id": 1, "montant": 2_000_000}}]
    newer = decp_file([market("M1", modifications=changes), market("M2")], name="a.json")
    assert services.import_file(newer, wet_run=True).created == 2
    again = services.import_file(newer, wet_run=True)
    assert (again.created, again.updated) == (0, 2)
    older = decp_file([market("M1", amount=1_000_000)], name="b.json")
    report = services.import_file(older, wet_run=True)
    assert report.unchanged_newer == 1
    assert PublishedContract.objects.count() == 2
    assert float(PublishedContract.objects.get(decp_id="M1").amount) == 2_000_000


def test_same_id_of_two_buyers_are_two_contracts(decp_file):
    path = decp_file([market("M1"), market("M1", buyer="21750001600019")])
    assert services.import_file(path, wet_run=True).created == 2


def test_bad_records_are_reported_and_skipped_never_fatal(decp_file):
    records = [
        market("OK1"),
        "pas un objet",
        market(""),
        market("NOBUYER", buyer=""),
        market("X" * 80),
        market("WEIRD", amount=1e17, dureeMois="NC", dateNotification="hier"),
        market("OK2", social=["Oui", "Non"]),
    ]
    report = services.import_file(decp_file(records), wet_run=True)
    assert report.read == 7
    assert report.skipped == 4
    assert report.created == 3
    text = "\n".join(report.lines())
    assert "marché n° 2 : ignoré, l'enregistrement n'est pas un objet" in text
    assert "identifiant du contrat (« id ») absent" in text
    assert "identifiant de l'acheteur (SIRET) absent" in text
    assert "trop long" in text
    weird = PublishedContract.objects.get(decp_id="WEIRD")
    assert weird.amount is None and weird.duration_months is None
    assert "aberrant : non retenu" in text


def test_truncated_json_keeps_what_was_read(tmp_path):
    path = tmp_path / "cut.json"
    body = json.dumps({"marches": {"marche": [market("A"), market("B")]}})
    path.write_text(body[: body.index('"B"') + 20])
    report = services.import_file(path, wet_run=True)
    assert report.created == 1
    assert "mal formé" in report.fatal


def test_not_a_decp_file(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"autre": 1}')
    assert "marches" in services.import_file(path, wet_run=True).fatal
    csv_path = tmp_path / "x.csv"
    csv_path.write_text("a;b\n1;2\n")
    assert "acheteur_id" in services.import_file(csv_path, wet_run=True).fatal


def test_format_2019_is_unknown():
    report = services.import_file(DATA / "decp_idf_2018_2019_format2019.json", wet_run=True)
    assert report.read == 1416 and report.skipped == 0
    assert report.without_field == 1416
    assert set(PublishedContract.objects.values_list("social_status", flat=True)) == {"unknown"}
    assert PublishedContract.objects.filter(source_format="json_2019").count() == report.created


def test_tabular_sample_counts_each_contract_once():
    report = services.import_file(DATA / "decp_idf_2024s2_travaux_4521.csv", wet_run=True)
    assert report.read == 405
    assert PublishedContract.objects.count() == 294  # one row per contract × holder
    row = PublishedContract.objects.get(uid="21780586000012202409A")
    assert row.department_code == "78" and row.kind == "works" and row.year == 2024


def test_tabular_with_considerations_and_modifications(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "uid,id,acheteur_id,acheteur_nom,objet,codeCPV,montant,dateNotification,"
        "considerationsSociales,modification_id,lieuExecution_code,lieuExecution_typeCode\n"
        f"x,T1,{BUYER_93},Ville,Objet,45210000,100,2025-01-02,"
        '"Clause sociale, Critère social",1,93066,Code commune\n'
        f"x,T1,{BUYER_93},Ville,Objet,45210000,90,2025-01-02,Clause sociale,0,93066,Code commune\n"
        f"x,T2,{BUYER_93},Ville,Objet,90910000,50,2025-01-02,Sans objet,0,93,Code département\n",
        encoding="utf-8",
    )
    services.import_file(path, wet_run=True)
    first = PublishedContract.objects.get(decp_id="T1")
    assert first.social_considerations == "Clause sociale, Critère social"
    assert float(first.amount) == 100
    assert PublishedContract.objects.get(decp_id="T2").social_status == "no"


def test_dry_run_writes_nothing_and_says_so(decp_file):
    out = io.StringIO()
    call_command("import_decp", file=str(decp_file([market("M1")])), stdout=out)
    assert PublishedContract.objects.count() == 0
    assert "simulation" in out.getvalue() and "1 nouveaux" in out.getvalue()
    call_command("import_decp", file=str(decp_file([market("M1")])), wet_run=True, stdout=out)
    assert PublishedContract.objects.count() == 1


def test_streaming_in_small_batches(decp_file):
    path = decp_file([market(f"M{i}") for i in range(25)])
    report = services.import_file(path, wet_run=True, batch_size=4)
    assert report.created == 25 == PublishedContract.objects.count()


def test_scheduled_task_reads_a_local_file_url(decp_file, settings):
    path: Path = decp_file([market("M1"), market("M2", social=None)])
    settings.CLAUSES_DECP_URL = path.as_uri()
    result = tasks.import_published_contracts.enqueue()
    assert result.return_value["created"] == 2
    assert PublishedContract.objects.get(decp_id="M2").social_status == "unknown"


def test_scheduled_task_without_url_does_nothing(settings):
    settings.CLAUSES_DECP_URL = ""
    assert tasks.import_published_contracts.enqueue().return_value["skipped"] is True


def test_fetch_refuses_other_schemes():
    with pytest.raises(services.FetchError):
        services.fetch_and_import("ftp://exemple.fr/decp.json")


def test_detect_forms():
    assert parsing.detect({"acheteur_id": "1", "id": "2"}) == parsing.TABULAR
    assert parsing.detect({"autoriteConcedante": {"id": "1"}}) == parsing.CONCESSION
    assert parsing.detect({"_type": "Marché", "acheteur": {}, "lieuExecution": {}}) == "2019"
    assert parsing.detect(market()) == parsing.MARKET


def test_2019_format_as_csv_with_its_department_column(tmp_path):
    """The 2019 sample's CSV columns (dep_code, no considerations): read, unknown."""
    path = tmp_path / "old.csv"
    path.write_text(
        "source,uid,id,acheteur_id,acheteur_nom,nature,objet,codeCPV,procedure,"
        "lieuExecution_code,lieuExecution_typeCode,dep_code,dureeMois,dateNotification,montant\n"
        "aife,,2018A,83455372900015,SOLIDEO,Marché,Objet,79100000,Appel d'offres ouvert,"
        "75,Code département,75,12,2018-05-02,26130\n"
        "aife,,2018B,83455372900015,SOLIDEO,Marché,Objet,79100000,Appel d'offres ouvert,"
        ",,94,12,,1000\n",
        encoding="utf-8",
    )
    report = services.import_file(path, wet_run=True)
    assert (report.created, report.without_field) == (2, 2)
    rows = {c.decp_id: c for c in PublishedContract.objects.all()}
    assert rows["2018A"].department_code == "75" and rows["2018A"].social_status == "unknown"
    assert rows["2018B"].department_code == "94"  # the dep_code column
    assert rows["2018B"].year is None


def test_batches_read_ahead_are_all_written_in_order(decp_file):
    """The reader thread hands batches to the writer: with batches of 2 contracts, every
    contract of the file is written once, and a version seen in a later batch still wins."""
    records = [market(f"R{n:03d}") for n in range(9)]
    records.append(market("R001", amount=2_000_000, modifications=[]))  # same contract again
    report = services.import_file(decp_file(records), wet_run=True, batch_size=2)
    assert report.read == 10
    assert PublishedContract.objects.count() == 9
    assert report.created == 9


def test_a_write_failure_stops_the_reader_and_is_raised(decp_file, monkeypatch):
    records = [market(f"W{n:03d}") for n in range(50)]

    def fail(batch, report):  # noqa: ANN001, ANN202
        raise RuntimeError("écriture impossible")

    monkeypatch.setattr(services, "_flush", fail)
    with pytest.raises(RuntimeError, match="écriture impossible"):
        services.import_file(decp_file(records), wet_run=True, batch_size=1)
    assert not [t for t in threading.enumerate() if t.name == "decp-reader"]


def test_a_reader_failure_reaches_the_caller(decp_file, monkeypatch):
    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise ValueError("lecture cassée")
        yield  # a generator, like the real one

    monkeypatch.setattr(parsing, "iter_records", broken)
    with pytest.raises(ValueError, match="lecture cassée"):
        services.import_file(decp_file([market()]), wet_run=True)
    assert PublishedContract.objects.count() == 0
