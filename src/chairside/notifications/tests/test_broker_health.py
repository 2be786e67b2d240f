"""/health/ready's Celery broker probe, in process."""

from __future__ import annotations

import time

import pytest
from health_check.exceptions import ServiceUnavailable

from chairside.core.health import CeleryBroker, ready_checks
from config.celery import app


def test_ready_always_checks_the_broker():
    assert "chairside.core.health.CeleryBroker" in ready_checks()


def test_unreachable_broker_fails_fast(monkeypatch):
    monkeypatch.setitem(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(app.conf, "broker_write_url", None)
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable, match="unreachable"):
        CeleryBroker().run()
    assert time.monotonic() - started < 2


def test_filesystem_broker_needs_a_writable_folder(monkeypatch, tmp_path):
    monkeypatch.setitem(app.conf, "broker_url", "filesystem://")
    monkeypatch.setitem(
        app.conf, "broker_transport_options", {"data_folder_in": str(tmp_path)}
    )
    CeleryBroker().run()
    monkeypatch.setitem(
        app.conf,
        "broker_transport_options",
        {"data_folder_in": str(tmp_path / "missing")},
    )
    with pytest.raises(ServiceUnavailable, match="not writable"):
        CeleryBroker().run()
