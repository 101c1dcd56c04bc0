import json


def test_healthz_answers_ok_when_the_database_answers(client, db, settings):
    settings.HEARTH_MEMBERS_ONLY = True
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_asks_the_database_each_time(client, db, django_assert_num_queries):
    for _ in range(2):
        with django_assert_num_queries(1):
            assert client.get("/healthz").status_code == 200
