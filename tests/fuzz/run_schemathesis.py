"""Schemathesis against a live server: the OpenAPI document must be the API's true contract.

    .venv/bin/python -m tests.fuzz.run_schemathesis            (what CI runs: `make fuzz`)
    .venv/bin/python -m tests.fuzz.run_schemathesis --max-examples 5 --only anonymous

1. A throwaway SQLite database in a temporary folder: migrations, reference data, demo data
   (`seed_demo`, demo mode, so the demo API tokens exist).
2. A live server (gunicorn, production-like: DEBUG off) on a free port.
3. Schemathesis with every check (`--checks all`), anonymous and with each demo token
   (`clauses_demo_<name>`, see `clauses/access/demo.py`), bounded in examples per operation
   and in time per identity. `--jobs` identities run at the same time (2 by default: each
   run waits on the server half of its time, so two share the two cores of CI); each run's
   output is printed whole when it ends, in the order of the identities.
4. Exit code 1 if any run reports a failure or an error; the reports are in --report-dir.

The desk's rate limits are raised for the run (`CLAUSES_DESK_MAX_REQUESTS_*`): the fuzzer
checks the contract, the rate limits have their own tests (tests/desk/test_abuse.py).
"""

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent
CONFIG = Path(__file__).with_name("schemathesis.toml")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="clauses.settings.dev",
        DJANGO_DEBUG="false",
        CLAUSES_DEMO_MODE="true",
        DATABASE_URL=f"sqlite:///{folder / 'fuzz.sqlite3'}",
        CLAUSES_VAR_DIR=str(folder),
        CLAUSES_DESK_MAX_REQUESTS_PER_IP_PER_HOUR="1000000",
        CLAUSES_DESK_MAX_REQUESTS_PER_EMAIL_PER_DAY="1000000",
        CLAUSES_DESK_MAX_ROUTINGS_PER_IP_PER_HOUR="1000000",
        CLAUSES_DESK_MAX_FOLLOW_LINKS_PER_IP_PER_HOUR="1000000",
        PYTHONUNBUFFERED="1",
    )
    env.pop("REDIS_URL", None)
    return env


def _manage(env: dict[str, str], *args: str, log: Path) -> str:
    with log.open("a") as out:
        result = subprocess.run(  # noqa: S603 (our own commands)
            [str(BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=out,
            text=True,
            check=True,
        )
        out.write(result.stdout)
    return result.stdout


# The same commands as `make demo-data`, in one process (one Django start-up, not four).
PREPARE = """
import json
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("load_reference", wet_run=True, verbosity=0)
call_command("seed_demo", verbosity=0)
from clauses.access.demo import demo_tokens
print(json.dumps(demo_tokens()))
"""


def _prepare(env: dict[str, str], log: Path) -> dict[str, str]:
    output = _manage(env, "shell", "-c", PREPARE, log=log)
    return json.loads(output.strip().splitlines()[-1])


def _wait(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (local)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"Le serveur ne répond pas : {url}")


def _command(
    base: str, args: argparse.Namespace, report_dir: Path, name: str, token: str | None
) -> list[str]:
    command = [
        str(BIN / "schemathesis"),
        f"--config-file={CONFIG}",
        "run",
        f"{base}/api/v1/openapi.json",
        "--checks=all",
        f"--max-examples={args.max_examples}",
        f"--max-time={args.max_time}",
        "--phases=examples,coverage,fuzzing",
        "--workers=1",
        "--request-timeout=20",
        "--suppress-health-check=all",
        "--no-color",
        "--report=junit",
        f"--report-junit-path={report_dir / (name.replace('@', '_at_') + '.xml')}",
    ]
    if args.seed is not None:
        command.append(f"--seed={args.seed}")
    if token:
        command.append(f"--header=Authorization: Bearer {token}")
    return command


def _untested(output: str) -> str | None:
    """Why a run that passed proved nothing, or None: the time budget also bounds the
    coverage phase, so on a loaded machine it can run out before some operations got a single
    case ("Tested: 0", a 0-exit "Empty test suite"). Like pytest's exit 5, that fails."""
    selected = re.search(r"^\s*Selected: (\d+)/\d+", output, re.MULTILINE)
    tested = re.search(r"^\s*Tested: (\d+)", output, re.MULTILINE)
    if not selected or not tested:
        return "résumé de Schemathesis introuvable"
    if int(tested.group(1)) < int(selected.group(1)):
        return (
            f"{tested.group(1)} opération(s) testée(s) sur {selected.group(1)} : le budget "
            "(--max-time) s'est épuisé avant, la machine est trop chargée"
        )
    return None


def _run_all(runs: dict[str, list[str]], env: dict[str, str], folder: Path, jobs: int) -> list[str]:
    """Every identity's run, `jobs` at a time; each output printed whole, in order, when its
    run and those before it have ended. Returns the identities whose run failed."""

    def run(name: str, command: list[str]) -> tuple[int, str, float]:
        output = folder / f"schemathesis-{name}.log"
        started = time.monotonic()
        with output.open("w") as out:
            result = subprocess.run(  # noqa: S603 (our own command)
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False
            )
        return result.returncode, output.read_text(), time.monotonic() - started

    failed: list[str] = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {name: pool.submit(run, name, command) for name, command in runs.items()}
        for name, future in futures.items():
            returncode, output, took = future.result()
            print(f"\n=== Schemathesis : {name} ({took:.0f} s)", flush=True)
            print(output, end="", flush=True)
            problem = _untested(output)
            if problem:
                print(f"ÉCHEC ({name}) : {problem}.", flush=True)
            if returncode != 0 or problem:
                failed.append(name)
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=15, help="par opération et phase")
    parser.add_argument(
        "--max-time", type=int, default=15, help="secondes au plus par identité (budget)"
    )
    parser.add_argument("--only", default="", help="'anonymous' ou l'adresse d'un compte démo")
    parser.add_argument(
        "--jobs", type=int, default=2, help="identités testées en même temps (2 par défaut)"
    )
    parser.add_argument("--report-dir", default=str(ROOT / "var" / "schemathesis"))
    # A fixed seed by default: CI and a developer replay the same cases (FUZZ_ARGS="--seed N"
    # explores others).
    parser.add_argument("--seed", type=int, default=20261206)
    args = parser.parse_args()

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="clauses-fuzz-") as tmp:
        folder = Path(tmp)
        env = _environment(folder)
        log = folder / "server.log"
        print("Base de démonstration jetable…", flush=True)
        try:
            tokens = _prepare(env, log)
        except subprocess.CalledProcessError as error:
            print(log.read_text()[-5000:])
            raise SystemExit(f"Préparation impossible : {error}") from error
        if not tokens:
            raise SystemExit("Préparation incomplète : aucun jeton de démonstration (DEMO_MODE ?).")
        print(f"Préparée en {time.monotonic() - started:.0f} s.", flush=True)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603
            [
                str(BIN / "gunicorn"),
                "clauses.wsgi",
                f"--bind=127.0.0.1:{port}",
                f"--workers={max(2, args.jobs)}",
                "--timeout=60",
                # gunicorn answers 414 itself beyond 4,094 bytes of request line, before
                # Django: a front server's limit, not the API's contract. Unlimited here so
                # that the fuzzer's long query strings reach the API (its own 422s apply).
                "--limit-request-line=0",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("a"),
            stderr=subprocess.STDOUT,
        )
        failed: list[str] = []
        try:
            try:
                _wait(f"{base}/api/v1/openapi.json")
            except SystemExit:
                print(log.read_text()[-5000:])
                raise
            identities: list[tuple[str, str | None]] = [("anonymous", None)]
            identities += sorted(tokens.items())
            if args.only:
                identities = [(n, t) for n, t in identities if n == args.only]
            if not identities:  # like pytest's exit 5: nothing tested is a failure
                raise SystemExit(f"ÉCHEC : aucune identité ne s'appelle {args.only!r}.")
            report_dir = Path(args.report_dir)
            report_dir.mkdir(parents=True, exist_ok=True)
            runs = {
                name: _command(base, args, report_dir, name, token) for name, token in identities
            }
            failed = _run_all(runs, env, folder, jobs=max(1, args.jobs))
        finally:
            server.terminate()
            server.wait(timeout=20)
            if failed:
                print(f"\nJournal du serveur : {log}", flush=True)
                print(log.read_text()[-5000:])
    print(f"\nDurée totale : {time.monotonic() - started:.0f} s")
    if failed:
        print(f"ÉCHEC : Schemathesis a trouvé des écarts pour {', '.join(failed)}.")
        return 1
    print("Schemathesis : aucun écart entre l'API et son OpenAPI.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
