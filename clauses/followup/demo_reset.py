"""Listed in seed_demo before the markets demo: demo assignments protect their lot, so they
go before the demo markets are rebuilt (`clauses.followup.demo.reset`)."""

from typing import TextIO

from clauses.followup.demo import reset


def seed(*, stdout: TextIO) -> None:
    reset(stdout=stdout)
