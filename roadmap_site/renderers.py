"""The form renderer: `{{ form }}` and `{{ field.as_field_group }}` render with the
project's `templates/forms/`, so every form ties its labels, help text and errors together
for screen readers in one place."""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Project templates first, then Django's own widget templates (`django.forms` is an
    installed app so the template engine finds them)."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
