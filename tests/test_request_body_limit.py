"""A request body over HEARTH_MAX_REQUEST_BYTES is refused with 413, unread."""

import socket
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile


def test_the_default_cap_leaves_room_for_the_largest_avatar(settings):
    assert settings.HEARTH_MAX_REQUEST_BYTES > settings.HEARTH_AVATAR_MAX_BYTES


@pytest.mark.parametrize(("size", "refused"), [(1000, False), (3000, True)])
def test_an_upload_over_the_cap_is_answered_413(member_client, member, settings, size, refused):
    settings.HEARTH_MAX_REQUEST_BYTES = 2000
    picture = SimpleUploadedFile("photo.jpg", b"x" * size, content_type="image/jpeg")
    response = member_client.post(
        "/settings/profile/", {"display_name": "Willow", "bio": "", "avatar": picture}
    )
    assert (response.status_code == 413) is refused
    member.refresh_from_db()
    if refused:
        assert b"too large to send" in response.content
        assert b"2.0\xc2\xa0KB" in response.content
        assert member.display_name == "River"  # nothing of the request was used
    else:
        # Through to the form, which judges the picture itself.
        assert response.status_code == 200
        assert b"too large to send" not in response.content


def test_the_cap_answers_before_the_body_arrives(live_server, settings):
    """A client announces 100 MB and sends none of it: the answer comes at once, so no worker
    waits for (or buffers) a body it would refuse."""
    settings.HEARTH_MAX_REQUEST_BYTES = 1024 * 1024
    address = urlsplit(live_server.url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as connection:
        connection.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\n"
            + f"Host: {address.netloc}\r\n".encode()
            + b"Content-Type: multipart/form-data; boundary=hearth\r\n"
            + b"Content-Length: 104857600\r\n\r\n"
        )
        status_line = connection.makefile("rb").readline()
    assert status_line.split()[1] == b"413"
