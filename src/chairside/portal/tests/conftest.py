from chairside.web.tests.conftest import web  # noqa: F401  (shared fixture)
