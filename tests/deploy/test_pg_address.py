"""chairside.core.pg_address: the one place code outside Django's own
connection learns where the database is."""

from __future__ import annotations

import environ
import psycopg
import pytest

from chairside.core.pg_address import conninfo, database_url, libpq_params

SOCKET = {
    "NAME": "chairside",
    "USER": "postgres",
    "PASSWORD": "",
    "HOST": "",
    "PORT": "",
    "OPTIONS": {"host": "/srv/app/var/pgdata"},
}
TCP = {
    "NAME": "test_chairside",
    "USER": "app user",
    "PASSWORD": "p@ss:w/rd?",
    "HOST": "db.internal",
    "PORT": 6432,
    "OPTIONS": {},
}


@pytest.mark.parametrize("settings_dict", [SOCKET, TCP], ids=["socket", "tcp"])
def test_the_url_a_child_process_gets_parses_back_to_the_same_address(settings_dict):
    parsed = environ.Env.db_url_config(database_url(settings_dict))
    assert libpq_params(parsed) == libpq_params(settings_dict)


def test_a_socket_directory_is_where_libpq_looks():
    # pgserver's URL keeps the socket in OPTIONS; libpq's default would be
    # /var/run/postgresql, another server (or none).
    assert libpq_params(SOCKET, dbname="postgres") == {
        "host": "/srv/app/var/pgdata",
        "dbname": "postgres",
        "user": "postgres",
    }


@pytest.mark.django_db
def test_a_second_connection_reaches_the_test_database():
    from django.db import connection

    with psycopg.connect(conninfo()) as other:
        name = other.execute("SELECT current_database()").fetchone()[0]
    assert name == connection.settings_dict["NAME"]
