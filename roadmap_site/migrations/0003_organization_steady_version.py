from django.db import migrations, models
from django.db.models import F


def start_steady(apps, schema_editor):
    # Every organisation's data is as steady as its version now.
    apps.get_model("roadmap_site", "Organization").objects.update(steady_version=F("version"))


class Migration(migrations.Migration):
    dependencies = [("roadmap_site", "0002_api_token_goes_with_its_creator")]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="steady_version",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(start_steady, migrations.RunPython.noop),
    ]
