"""Faults injected in PostgreSQL itself, and what a half-written write would leave."""

from django.db import connection


def table_rows():
    """Every row of every table of the project, as text: what a half-written write would
    change."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        tables = [name for (name,) in cursor.fetchall()]
        snapshot = {}
        for table in tables:
            cursor.execute(
                f"SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')), "  # noqa: S608
                f'count(*) FROM "{table}" t'
            )
            snapshot[table] = cursor.fetchone()
    return snapshot


def fail_on(table, operation="INSERT"):
    """A real fault in PostgreSQL: from now on, writing to `table` raises, as a full disk or
    a lost connection would after the first writes of a transaction went through."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE OR REPLACE FUNCTION hearth_test_fault() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'injected fault'; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            f'CREATE TRIGGER hearth_test_fault BEFORE {operation} ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION hearth_test_fault()"
        )
