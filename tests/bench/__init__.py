"""The benchmark harness behind `make bench` (see docs/benchmarks.md).

Nothing here is imported by the app: it seeds its own database, starts its own
servers and drives them from separate processes.
"""
