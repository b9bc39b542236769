"""Give every annotation a W3C `canonical` IRI: kept on export/import and required by the protocol."""

import uuid

from django.db import migrations, models

import annotations.models.annotation


def fill_canonical(apps, schema_editor):
    Annotation = apps.get_model("annotations", "Annotation")
    rows = list(Annotation.objects.filter(canonical__isnull=True).only("pk"))
    for row in rows:
        row.canonical = f"urn:uuid:{uuid.uuid4()}"
    Annotation.objects.bulk_update(rows, ["canonical"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0002_editor_and_reviewer_groups"),
    ]

    operations = [
        migrations.AddField(
            model_name="annotation",
            name="canonical",
            field=models.CharField(editable=False, max_length=500, null=True),
        ),
        migrations.RunPython(fill_canonical, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="annotation",
            name="canonical",
            field=models.CharField(
                default=annotations.models.annotation.new_canonical_iri,
                editable=False,
                help_text="The W3C canonical IRI: kept across systems, exports and imports; never changes.",
                max_length=500,
                unique=True,
            ),
        ),
    ]
