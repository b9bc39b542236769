"""The editorial roles and their permissions; the data migration and `create_editor` both use them."""

EDITOR_PERMISSIONS = (
    "archive.view_article",
    "archive.add_article",
    "archive.view_original",
    "archive.view_revision",
    "annotations.view_annotation",
    "annotations.add_annotation",
    "annotations.view_correction",
    "annotations.add_correction",
    "annotations.view_glossaryentry",
    "annotations.view_entity",
    "annotations.add_entity",
    "annotations.view_entitysuggestion",
    "annotations.view_taggedentity",
    "annotations.add_taggedentity",
    "annotations.delete_taggedentity",
    "annotations.view_articlelink",
    "annotations.add_articlelink",
    "annotations.view_externallink",
    "annotations.add_externallink",
)
REVIEWER_PERMISSIONS = EDITOR_PERMISSIONS + (
    "archive.publish_article",
    "annotations.review_correction",
    "annotations.add_glossaryentry",
    "annotations.change_glossaryentry",
    "annotations.change_entity",
    "annotations.change_entitysuggestion",
)
ROLES = {"Editor": EDITOR_PERMISSIONS, "Reviewer": REVIEWER_PERMISSIONS}
