"""Two servers, one PostgreSQL, one Redis, one shared folder of uploads (#15, "Beyond one
machine"): what one server writes, the other serves — a request filed on A is listed on B's
follow page, its attachment downloaded from B, the per-IP limit counted across both, and a
cached public page invalidated on both by one write.

Needs `CLAUSES_TEST_REDIS_URL` (CI's ops stage sets it); skipped without it, saying why.
"""

import json
import os
import re
import urllib.request
import uuid

import pytest

from tests.ops.conftest import copy_static, manage
from tests.ops.test_faults import call, filing, free_port, gunicorn, production_env, wait_for

pytestmark = pytest.mark.ops

REDIS_URL = os.environ.get("CLAUSES_TEST_REDIS_URL", "")
LIMIT = 3  # filings per IP per hour, counted in Redis by both servers
ATTACHMENT = b"commune;heures\n93066;350\n"
RENAME = """
from clauses.network.models import Coordination
coordination = Coordination.objects.departmental().get(department__code="93")
coordination.name = {name!r}
coordination.save()
"""


def multipart(fields: dict[str, str], filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    head = "".join(parts).encode()
    file_part = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{filename}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    return head + file_part + content + f"\r\n--{boundary}--\r\n".encode(), boundary


def post_multipart(base: str, path: str, body: bytes, boundary: str) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - loopback only
        base + path,
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.mark.skipif(not REDIS_URL, reason="CLAUSES_TEST_REDIS_URL absent : pas de Redis partagé")
def test_what_one_server_writes_the_other_serves(scratch_database, static_files, tmp_path):
    url = scratch_database("two_servers", "reference")
    media = tmp_path / "shared-media"  # the shared mount
    media.mkdir()
    common = {
        "REDIS_URL": REDIS_URL,
        "CLAUSES_CACHE_PREFIX": f"ops-{uuid.uuid4().hex[:8]}",
        "CLAUSES_MEDIA_DIR": str(media),
        "CLAUSES_DESK_MAX_REQUESTS_PER_IP_PER_HOUR": str(LIMIT),
    }
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    env_a = {**production_env(url, str(tmp_path / "a")), **common}
    env_b = {**production_env(url, str(tmp_path / "b")), **common}
    for server_dir in (tmp_path / "a", tmp_path / "b"):  # the same files on both
        copy_static(static_files, server_dir)
    port_a, port_b = free_port(), free_port()
    servers = [gunicorn(env_a, port_a), gunicorn(env_b, port_b)]
    a, b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    try:
        wait_for(lambda: call(a, "/sante/").status_code == 200, timeout=300)
        wait_for(lambda: call(b, "/sante/").status_code == 200, timeout=300)

        # Filed on A, with an attachment.
        fields = {
            key: value
            for key, value in filing(1).items()
            if isinstance(value, str) and key != "contact_phone"
        }
        fields["execution_communes"] = "93066"
        body, boundary = multipart(fields, "heures.csv", ATTACHMENT)
        status, filed = post_multipart(a, "/api/v1/desk/requests/multipart", body, boundary)
        assert status == 201, filed
        follow = filed["follow_url"]
        follow_path = follow[follow.index("/guichet/") :]

        # Listed on B (the buyer's private page) and its attachment downloaded from B.
        page = call(b, follow_path)
        assert page.status_code == 200
        assert filed["reference"] in page.text and "heures.csv" in page.text
        link = re.search(
            r'href="(/guichet/suivi/[^"]+/pieces-jointes/\d+/\?jeton=[^"]+)"', page.text
        )
        assert link, "lien de la pièce jointe"
        download = call(b, link.group(1).replace("&amp;", "&"))
        assert download.status_code == 200
        assert download.text.encode() == ATTACHMENT

        # The per-IP limit is counted once for both servers: LIMIT filings in all, then 429.
        for number in range(2, LIMIT + 1):
            assert call(a, "/api/v1/desk/requests", filing(number)).status_code == 201
        refused = call(b, "/api/v1/desk/requests", filing(99))
        assert refused.status_code == 429, refused.text

        # A cached public page, served by both, is invalidated on both by one write.
        page_path = "/reseau/departements/93/"
        before = [call(server, page_path).text for server in (a, b, a, b)]
        assert all(text == before[0] for text in before)
        new_name = "Coordination départementale partagée (test)"
        assert new_name not in before[0]
        manage("shell", "-c", RENAME.format(name=new_name), env=env_a)
        for server in (a, b):
            assert new_name in call(server, page_path).text
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
