"""Avatars: uploaded images are decoded, cropped square and re-encoded into a new image that
carries pixels only (no EXIF, GPS, ICC profile, XMP or comments). Members without one get a
generated avatar drawn from a random per-member seed."""

import hashlib
import io
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
# Refuse anything larger than this before decoding a single pixel (decompression bombs).
MAX_PIXELS = 40_000_000

UNREADABLE = "We could not read that image. Upload a PNG, JPEG or WebP picture."
TOO_MANY_PIXELS = "That image has too many pixels. Upload a smaller picture."


def reencode_avatar(upload):
    """Returns a ContentFile holding a square WebP of the upload, or raises ValidationError."""
    max_bytes = settings.HEARTH_AVATAR_MAX_BYTES
    if upload.size > max_bytes:
        raise ValidationError(
            "That image is %(size)s MB; the limit is %(limit)s MB.",
            code="too_large",
            params={
                "size": f"{upload.size / 1_048_576:.1f}",
                "limit": f"{max_bytes / 1_048_576:.0f}",
            },
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                if image.format not in ACCEPTED_FORMATS:
                    raise ValidationError(UNREADABLE, code="format")
                if image.width * image.height > MAX_PIXELS:
                    raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels")
                image.seek(0)
                upright = ImageOps.exif_transpose(image)
                has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
                converted = upright.convert("RGBA" if has_alpha else "RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels") from error
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
    ) as error:
        raise ValidationError(UNREADABLE, code="unreadable") from error

    side = settings.HEARTH_AVATAR_SIZE
    square = ImageOps.fit(converted, (side, side), Image.Resampling.LANCZOS)
    # A brand-new image holds the pixels and nothing else that came with the upload.
    clean = Image.frombytes(square.mode, square.size, square.tobytes())
    buffer = io.BytesIO()
    clean.save(buffer, format="WEBP", quality=85, method=4)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.webp")


def generated_colour(seed):
    """A pleasant, readable background colour chosen by the member's random seed."""
    hue = int(hashlib.sha256(seed.encode()).hexdigest()[:4], 16) % 360
    return f"hsl({hue} 45% 38%)"


def initials(display_name):
    words = [word for word in display_name.replace("_", " ").split() if word[:1].isalnum()]
    letters = "".join(word[0] for word in words[:2]) or display_name[:1]
    return letters.upper()
