"""The local OpenID Connect provider of the ProConnect tests (tests/support/proconnect_provider:
panva's oidc-provider, OpenID Certified, configured like ProConnect), started on a free port
for a test module (tests/accounts/test_proconnect.py) or a browser test
(tests/browser/test_proconnect.py).

Skipped when node or `npm ci` is missing, unless CLAUSES_TEST_PROCONNECT_REQUIRED is set
(CI): then it fails, so the end-to-end tests can never silently vanish."""

import json
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PROVIDER = Path(__file__).resolve().parents[1] / "support" / "proconnect_provider"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def node_or_skip() -> str:
    """The path of node, or skip (fail in CI) with the reason."""
    node = shutil.which("node")
    if node is None or not (PROVIDER / "node_modules" / "oidc-provider").exists():
        missing = (
            "le fournisseur ProConnect local ne peut pas démarrer : node ou "
            "tests/support/proconnect_provider/node_modules manque (npm ci dans ce dossier)"
        )
        if os.environ.get("CLAUSES_TEST_PROCONNECT_REQUIRED"):  # CI: never skipped
            pytest.fail(missing, pytrace=False)
        pytest.skip(missing)
    return node


@contextmanager
def running_provider(
    *,
    site: str,
    client_id: str,
    client_secret: str,
    identities: dict,
    other_client: tuple[str, str] | None = None,
) -> Iterator[str]:
    """Start the provider for a Clauses site at `site` (its exact redirect URIs registered);
    yield its issuer URL; stop it afterwards."""
    node = node_or_skip()
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PORT": str(port),
        "ISSUER": issuer,
        "CLIENT_ID": client_id,
        "CLIENT_SECRET": client_secret,
        "REDIRECT_URIS": f"{site}/compte/proconnect/retour/",
        "POST_LOGOUT_REDIRECT_URIS": f"{site}/compte/proconnect/deconnexion/",
        "IDENTITIES": json.dumps(identities),
    }
    if other_client:
        env["OTHER_CLIENT_ID"], env["OTHER_CLIENT_SECRET"] = other_client
    process = subprocess.Popen(  # noqa: S603 - node, our own script
        [node, "server.js"],
        cwd=PROVIDER,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("ready"), f"le fournisseur local n'a pas démarré : {line!r}"
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
