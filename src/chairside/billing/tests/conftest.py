"""The billing tests share the payment tests' fixtures (patients with portal
accounts, the localstripe harness)."""

from chairside.payments.tests.conftest import (  # noqa: F401  (fixtures)
    beta_patients,
    patients,
)
