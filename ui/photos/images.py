"""Decoding JPEGs into QImages, on a worker thread (QImage, unlike QPixmap, may be made there).

A stored photo is up to 4,000 px on its long edge: decoding and scaling it takes tens of
milliseconds, so screens call these from ui.shell.workers jobs and receive QImages
ready to paint.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QImage, QImageReader

from consult.errors import InvalidField

PREVIEW_EDGE = 1200


def decoded(jpeg: bytes, longest: int = PREVIEW_EDGE) -> QImage:
    """The image scaled to at most `longest` px on its long edge (smooth)."""
    image = QImage.fromData(QByteArray(jpeg))
    if image.isNull():
        raise InvalidField("photo", "the stored image cannot be read")
    return _fitted(image, longest)


def preview_of_file(path: str, longest: int = PREVIEW_EDGE) -> QImage:
    """A file about to be imported, upright (EXIF orientation applied) and scaled.

    The reader scales while decoding, so a 12 MP photo never exists at full size here.
    HEIC is previewed through Pillow (Qt has no HEIC reader everywhere).
    """
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    size = reader.size()
    if reader.canRead() and size.isValid():
        if max(size.width(), size.height()) > longest:
            reader.setScaledSize(size.scaled(QSize(longest, longest),
                                              Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        if not image.isNull():
            return image
    return _through_pillow(path, longest)


def _through_pillow(path: str, longest: int) -> QImage:
    from consult.photos.images import normalise

    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InvalidField(Path(path).name, f"cannot be read ({error.strerror})") from None
    kept = normalise(data, max(longest, 640), field=Path(path).name)
    return decoded(kept.image, longest)


def _fitted(image: QImage, longest: int) -> QImage:
    if max(image.width(), image.height()) <= longest:
        return image
    return image.scaled(longest, longest, Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)
