"""Taking a photo with a camera attached to the workstation (Qt Multimedia), where there is one.

Whether a camera is there is found out on a worker (loading Qt Multimedia takes a
moment, and on a computer without its system libraries it cannot load at all); with no
camera the import dialog shows no camera button. A captured frame stays in memory as
JPEG bytes and goes through the same import as a file: it is never written to disk.
"""

from __future__ import annotations

import importlib
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

JPEG_QUALITY = 95


def camera_available() -> bool:
    """True when Qt Multimedia loads and lists at least one camera."""
    try:
        multimedia: Any = importlib.import_module("PySide6.QtMultimedia")
    except ImportError:  # the system lacks Qt Multimedia's libraries (PulseAudio, …)
        return False
    return bool(multimedia.QMediaDevices.videoInputs())


def jpeg_bytes(image: QImage) -> bytes:
    """A captured frame as JPEG bytes, in memory."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "JPEG", JPEG_QUALITY)
    buffer.close()
    return bytes(data.data())


class CameraDialog(QDialog):
    """The camera's live picture and a button that keeps one frame."""

    captured = Signal(bytes)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Take a photo")
        multimedia: Any = importlib.import_module("PySide6.QtMultimedia")
        widgets: Any = importlib.import_module("PySide6.QtMultimediaWidgets")
        self.viewfinder = widgets.QVideoWidget(self)
        self.camera = multimedia.QCamera(multimedia.QMediaDevices.defaultVideoInput(), self)
        self.capture = multimedia.QImageCapture(self)
        self.session = multimedia.QMediaCaptureSession(self)
        self.session.setCamera(self.camera)
        self.session.setImageCapture(self.capture)
        self.session.setVideoOutput(self.viewfinder)
        self.status = QLabel(self)
        self.take = QPushButton("Take photo", self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.viewfinder, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.take)
        self.take.clicked.connect(self._take)
        self.capture.imageCaptured.connect(self.keep)
        self.capture.errorOccurred.connect(self._problem)
        self.resize(800, 640)
        self.camera.start()

    @Slot()
    def _take(self) -> None:
        self.take.setEnabled(False)
        self.capture.capture()

    @Slot(int, QImage)
    def keep(self, _request: int, frame: QImage) -> None:
        self.captured.emit(jpeg_bytes(frame))
        self.camera.stop()
        self.accept()

    @Slot(int, object, str)
    def _problem(self, _request: int, _error: object, message: str) -> None:
        self.status.setText(f"The camera could not take the photo: {message}")
        self.take.setEnabled(True)
