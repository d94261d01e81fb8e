"""Attachments are served by their detected type, never by their name (#11.9)."""

import pytest
from django.urls import reverse

from clauses.desk import services
from clauses.desk.models import Attachment
from tests.desk.conftest import request_data
from tests.desk.test_attachments import PDF

pytestmark = pytest.mark.django_db


def test_an_html_named_pdf_is_served_as_a_pdf_download(client, network):
    filed = services.file_request(data=request_data(), attachments=[("page.html", PDF)])
    attachment = Attachment.objects.get(request=filed.request)
    response = client.get(
        reverse(
            "desk:follow_attachment",
            kwargs={"reference": filed.request.reference, "pk": attachment.pk},
        ),
        {"jeton": filed.raw_follow_token},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="page.html.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF


def test_a_wrong_token_gets_no_file(client, network):
    filed = services.file_request(data=request_data(), attachments=[("cahier.pdf", PDF)])
    attachment = Attachment.objects.get(request=filed.request)
    url = reverse(
        "desk:follow_attachment",
        kwargs={"reference": filed.request.reference, "pk": attachment.pk},
    )
    assert client.get(url, {"jeton": "faux"}).status_code == 404
