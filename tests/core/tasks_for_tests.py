"""Tasks used by the worker tests only: each run leaves a line in a file."""

import time
from pathlib import Path

from django_tasks import task


@task()
def mark(path: str, hold: str = "") -> str:
    """Write "début", wait while the file `hold` exists, write "fin": a run interrupted in
    the wait leaves "début" alone."""
    file = Path(path)
    with file.open("a", encoding="utf-8") as out:
        out.write("début\n")
    deadline = time.monotonic() + 120
    while hold and Path(hold).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    with file.open("a", encoding="utf-8") as out:
        out.write("fin\n")
    return "fait"
