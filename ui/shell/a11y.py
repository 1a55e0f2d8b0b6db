"""Names for assistive technology.

On Linux Qt's accessibility bridge gives a combo box its current value as its name and takes the name
from the label that is its buddy, so every field gets a visible label as buddy, and that label carries
the field's full accessible name.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget


def label_for(label: QLabel, field: QWidget) -> QLabel:
    """Make ``label`` name ``field`` (its buddy); screen readers read the field's accessible name."""
    label.setBuddy(field)
    label.setAccessibleName(field.accessibleName() or label.text())
    return label
