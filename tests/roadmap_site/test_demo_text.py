"""The demo is the first thing a new lead reads: its text must be clean."""

from __future__ import annotations

import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

pytestmark = pytest.mark.django_db

# Two full stops in a row, but not an ellipsis written as three.
DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")


def test_no_demo_text_ends_a_sentence_twice():
    call_command("seed_demo", stdout=io.StringIO())
    found = []
    for model in apps.get_models():
        text_fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
        ]
        if not text_fields:
            continue
        for row in model._default_manager.values("pk", *text_fields):
            for name in text_fields:
                if DOUBLE_STOP.search(row[name] or ""):
                    found.append((model._meta.label, row["pk"], name, row[name]))
    assert found == []
