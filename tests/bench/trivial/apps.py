from django.apps import AppConfig


class BenchTrivialConfig(AppConfig):
    name = "tests.bench.trivial"
    label = "bench_trivial"
