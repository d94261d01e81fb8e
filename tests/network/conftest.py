"""Temporary, while load_partners is being written: `load_reference` runs only the loaders
that exist. Remove once they all exist."""

from django.core.management import get_commands

from clauses.core.management.commands import load_reference

load_reference.REFERENCE_COMMANDS[:] = [
    name for name in load_reference.REFERENCE_COMMANDS if name in get_commands()
]
