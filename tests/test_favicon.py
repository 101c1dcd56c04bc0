from pathlib import Path

from django.conf import settings
from PIL import Image


def test_favicon_ico_leads_to_the_icon_in_the_static_files(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon.ico"
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    icon = Image.open(Path(settings.BASE_DIR) / "static" / "img" / "favicon.ico")
    assert icon.format == "ICO"
    assert (32, 32) in icon.info["sizes"]


def test_every_page_names_its_icons(client, db):
    page = client.get("/accounts/login/").content.decode()

    assert 'rel="icon" href="/static/img/favicon.ico"' in page
    assert 'rel="apple-touch-icon"' in page
