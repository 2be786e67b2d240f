from django.apps import AppConfig


class BenchTrivialConfig(AppConfig):
    name = "chairside.bench.trivial"
    label = "bench_trivial"
