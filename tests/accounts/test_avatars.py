import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms

from accounts.models import Member

CAMERA = "HearthTestCam 9000"


def jpeg_with_gps():
    """A photo as a phone would take it: camera, time and GPS position in EXIF, an ICC
    profile and a comment."""
    image = Image.new("RGB", (640, 480), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = CAMERA  # Make
    exif[0x0132] = "2026:11:21 08:15:00"  # DateTime
    exif[0x8825] = {  # GPSInfo
        1: "N",
        2: (51.0, 30.0, 26.0),
        3: "W",
        4: (0.0, 7.0, 39.0),
    }
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), icc_profile=icc, comment=b"taken at home")
    data = buffer.getvalue()
    # Make sure the fixture really carries what the test claims it does.
    with Image.open(io.BytesIO(data)) as check:
        assert check.getexif().get_ifd(0x8825)
        assert check.info.get("icc_profile")
    return data


def upload(client, data, name="photo.jpg", content_type="image/jpeg", **fields):
    form = {"display_name": "River", "bio": "", **fields}
    form["avatar"] = SimpleUploadedFile(name, data, content_type=content_type)
    return client.post("/settings/profile/", form)


def test_avatar_is_reencoded_without_any_metadata(member_client, member):
    response = upload(member_client, jpeg_with_gps())
    assert response.status_code == 302

    member.refresh_from_db()
    assert member.avatar.name.startswith("avatars/")
    assert "photo" not in member.avatar.name  # the uploaded file name is not kept either
    stored = member.avatar.read()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "WEBP"
        assert image.size == (256, 256)
        assert not image.getexif()
        assert "icc_profile" not in image.info
        assert "exif" not in image.info
        assert "xmp" not in image.info
    assert CAMERA.encode() not in stored
    assert b"taken at home" not in stored
    assert b"Exif" not in stored


def test_avatar_is_served_to_members_and_shown_on_the_profile(member_client, member):
    upload(member_client, jpeg_with_gps())
    member.refresh_from_db()
    page = member_client.get(member.get_absolute_url()).content.decode()
    file_name = member.avatar.name.rsplit("/", 1)[1]
    assert f'src="/media/avatars/{file_name}"' in page
    response = member_client.get(f"/media/avatars/{file_name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"


def test_replacing_and_removing_an_avatar_deletes_the_old_file(
    member_client, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(member_client, jpeg_with_gps())
    member.refresh_from_db()
    first = member.avatar.name
    storage = member.avatar.storage
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post("/settings/profile/", {"display_name": "River", "remove_avatar": "on"})
    member.refresh_from_db()
    assert not member.avatar
    assert not storage.exists(first)


def png_bytes(size=(64, 64), mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    return buffer.getvalue()


def gif_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32)).save(buffer, "GIF")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"#!/bin/sh\necho not an image\n", "avatar.png", "We could not read that image"),
        (gif_bytes(), "animated.gif", "We could not read that image"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "a.svg",
            "We could not read that image",
        ),
        (png_bytes()[:60], "truncated.png", "We could not read that image"),
        # 12,000 × 12,000 one-bit pixels compress to almost nothing: a decompression bomb.
        (png_bytes((12_000, 12_000), mode="1"), "bomb.png", "too many pixels"),
    ],
    ids=["text", "gif", "svg", "truncated", "decompression-bomb"],
)
def test_bad_uploads_are_refused_next_to_the_field(member_client, member, data, name, message):
    response = upload(member_client, data, name=name, content_type="image/png", bio="Kept words")
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Kept words" in html  # what the member typed is still there
    member.refresh_from_db()
    assert not member.avatar
    assert member.bio == ""


def test_an_upload_over_the_size_limit_is_refused(member_client, member, settings):
    settings.HEARTH_AVATAR_MAX_BYTES = 1024
    response = upload(member_client, jpeg_with_gps())
    assert response.status_code == 200
    assert "the limit is" in response.content.decode()
    assert not Member.objects.get(pk=member.pk).avatar


def test_members_without_an_avatar_get_a_generated_one(member_client, member_factory):
    other = member_factory("Noor Haddad")
    page = member_client.get(other.get_absolute_url()).content.decode()
    assert '<svg class="avatar"' in page
    assert ">NH</text>" in page


def test_the_generated_avatar_comes_from_a_random_seed_not_the_email(member_factory):
    first = member_factory("Twin", email="same-person@example.org")
    Member.objects.filter(pk=first.pk).delete()
    second = member_factory("Twin", email="same-person@example.org")
    assert first.avatar_seed != second.avatar_seed


@pytest.mark.parametrize("name", ["..", "..%2F..%2Fsettings.py", "not-an-avatar.webp"])
def test_only_avatar_names_are_served(member_client, name):
    assert member_client.get(f"/media/avatars/{name}").status_code == 404
