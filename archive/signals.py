"""The one seam from the archive to the apps built on it.

`articles_imported` is sent after the import transaction commits, with `article_ids`
(the newly created articles). The annotations app receives it to run glossary and entity
suggestions; the archive itself never imports that app.

`articles_edited` is sent after an edit of articles' own fields (headline, dates, outlet…, see
archive.services.article_edit) commits, with `article_ids`: the annotations app rewrites their
search documents.
"""

from django.dispatch import Signal

articles_imported = Signal()
articles_edited = Signal()
