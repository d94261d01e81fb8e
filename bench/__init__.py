"""Benchmarks of Clauses (`make bench`): one command, one table of results."""
