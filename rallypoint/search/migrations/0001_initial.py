import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# SQLite: an FTS5 table over the documents (external content, so the text is stored
# once), kept in step by triggers. unicode61 folds case and removes diacritics.
SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body, tags,
        content='search_searchdocument', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title, body, tags)
        VALUES (new.id, new.title, new.body, new.tags);
    END
    """,
    """
    CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body, tags)
        VALUES ('delete', old.id, old.title, old.body, old.tags);
    END
    """,
    """
    CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body, tags)
        VALUES ('delete', old.id, old.title, old.body, old.tags);
        INSERT INTO search_fts(rowid, title, body, tags)
        VALUES (new.id, new.title, new.body, new.tags);
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
]

# PostgreSQL: a generated tsvector with the 'simple' configuration (no stemming, no stop
# words: company text mixes languages), title weighted A, text B, hashtags C.
POSTGRES_FORWARD = [
    """
    ALTER TABLE search_searchdocument ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('simple'::regconfig, coalesce(body, '')), 'B')
        || setweight(to_tsvector('simple'::regconfig, coalesce(tags, '')), 'C')
    ) STORED
    """,
    "CREATE INDEX search_document_vector ON search_searchdocument USING GIN (search_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_document_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("feed", "0002_posts_scheduling_moderation_attachments"),
        ("spaces", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("post", "Posts"), ("comment", "Comments"), ("person", "People"), ("space", "Spaces")], max_length=16, verbose_name="kind")),
                ("object_id", models.PositiveBigIntegerField(verbose_name="object id")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created")),
                ("title", models.TextField(blank=True, verbose_name="title")),
                ("body", models.TextField(blank=True, verbose_name="text")),
                ("tags", models.TextField(blank=True, verbose_name="hashtags")),
                ("author", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="author")),
                ("comment", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="feed.comment", verbose_name="comment")),
                ("person", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="person")),
                ("post", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="feed.post", verbose_name="post")),
                ("space", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="spaces.space", verbose_name="space")),
            ],
            options={
                "verbose_name": "search document",
                "indexes": [models.Index(fields=["created_at"], name="search_document_created")],
                "constraints": [models.UniqueConstraint(fields=("kind", "object_id"), name="search_document_unique")],
            },
        ),
        migrations.CreateModel(
            name="SearchFts",
            fields=[
                ("document", models.OneToOneField(db_column="rowid", db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name="fts", serialize=False, to="search.searchdocument")),
            ],
            options={"db_table": "search_fts", "managed": False},
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
