"""The strip above the plots: what is on screen, and why a run stopped (core's sentence)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class IdeaBanner(QWidget):
    """Title and one-sentence idea of the preset, plus the latest divergence sentence."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setObjectName("ideaTitle")
        self.title.setWordWrap(True)  # a long title must not set the window's least width
        self.idea = QLabel()
        self.idea.setObjectName("ideaText")
        self.idea.setWordWrap(True)
        self.divergence = QLabel()
        self.divergence.setObjectName("divergence")
        self.divergence.setWordWrap(True)
        self.divergence.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 4)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.idea)
        layout.addWidget(self.divergence)

    def set_idea(self, title: str, idea: str) -> None:
        self.title.setText(title)
        self.idea.setText(idea)
        self.title.setVisible(bool(title))
        self.idea.setVisible(bool(idea))

    def set_divergence(self, sentence: str) -> None:
        self.divergence.setText(sentence)
        self.divergence.setVisible(bool(sentence))
