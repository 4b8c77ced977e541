"""Fixtures the measurement tests share."""

from __future__ import annotations

import pytest

from measurement.models import Program


@pytest.fixture
def program(initiative):
    """The `initiative` fixture's program (an initiative as measurement sees it)."""
    return Program.objects.for_initiative(initiative)
