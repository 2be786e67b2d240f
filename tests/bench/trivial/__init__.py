"""A model-less app whose one migration the benchmark writes fresh each run,
so `migrate_schemas` has a trivial change to carry across every clinic."""
