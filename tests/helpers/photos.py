"""Test photographs made with Pillow: plain, rotated by EXIF with GPS tags, HEIC.

No real person is in any of them: coloured shapes whose corners say which way is up.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

ORIENTATION = 0x0112
GPS_IFD = 0x8825
MAKE, MODEL, SERIAL = 0x010F, 0x0110, 0xA431
SERIAL_NUMBER = "SN-ABC-123456"
RED = (220, 30, 30)


def picture(width: int = 640, height: int = 480, colour=(90, 140, 200)) -> Image.Image:
    """A picture with a red block in its top-left corner (to see which way is up)."""
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width // 4, height // 4), fill=RED)
    draw.ellipse((width // 3, height // 3, 2 * width // 3, 2 * height // 3), fill=(240, 200, 170))
    return image


def jpeg(width: int = 640, height: int = 480, colour=(90, 140, 200)) -> bytes:
    out = io.BytesIO()
    picture(width, height, colour).save(out, format="JPEG", quality=85)
    return out.getvalue()


def png(width: int = 320, height: int = 240) -> bytes:
    out = io.BytesIO()
    picture(width, height).save(out, format="PNG")
    return out.getvalue()


def rotated_jpeg_with_gps() -> bytes:
    """A 640×480 JPEG stored sideways with EXIF orientation 6 (shown 480×640 upright),
    GPS position, camera make, model and body serial number: what a phone writes."""
    stored = picture(480, 640).transpose(Image.Transpose.ROTATE_90)  # the sensor's way round
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[MAKE] = "Apple"
    exif[MODEL] = "iPhone 15"
    exif.get_ifd(0x8769)[SERIAL] = SERIAL_NUMBER
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (38.0, 42.0, 25.0), 3: "W", 4: (9.0, 8.0, 40.0)})
    out = io.BytesIO()
    stored.save(out, format="JPEG", exif=exif.tobytes(), quality=85)
    return out.getvalue()


def heic(width: int = 400, height: int = 300) -> bytes:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    out = io.BytesIO()
    picture(width, height).save(out, format="HEIF", quality=80)
    return out.getvalue()


def rotated_heic() -> bytes:
    """An iPhone-style HEIC stored sideways with EXIF orientation 6 (480×640 upright)."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    stored = picture(480, 640).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    out = io.BytesIO()
    stored.save(out, format="HEIF", exif=exif.tobytes())
    return out.getvalue()


def twelve_megapixels() -> bytes:
    """A 4000×3000 JPEG, the size of an iPhone's 12 MP photo."""
    return jpeg(4000, 3000)


def top_left_is_red(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        pixel = image.convert("RGB").getpixel((4, 4))
    return pixel[0] > 180 and pixel[1] < 90 and pixel[2] < 90


def signed_consultation(user, *, photography: bool = True, marketing: bool = False,
                        name: str = "Ana Souza", day: str = "2026-11-20"):
    """A signed consultation whose consent carries these photography choices, as the app
    and `consult documents` store them (the consult/1 `consent` object)."""
    from dataclasses import replace

    from consult.services import signing
    from consult.services.signing import SigningRequest
    from tests.consult.clinical.factory import consultation
    from tests.consult.documents.pdfs import signature_png

    file = consultation(day=day)
    file = replace(
        file,
        patient=replace(file.patient, name=name),
        extra={"consent": {"photography": photography, "marketing": marketing}},
    )
    ink = signature_png()
    return signing.sign(user, SigningRequest(file, photography, marketing, ink, ink))
