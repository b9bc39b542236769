from django.urls import path  # noqa: F401 - each feature adds its patterns below

from annotations.views import api, corrections
from annotations.views import entities as entity_views
from annotations.views import search as search_views

app_name = "annotations"
urlpatterns: list = []

# W3C Web Annotation Protocol (annotations/views/api.py). An annotation's IRI lies inside its article's
# container, as the protocol requires; /annotations/<pk> serves the same annotation under a short name.
urlpatterns += [
    path("annotations/", api.CollectionView.as_view(), name="collection"),
    path("annotations/<int:pk>", api.AnnotationView.as_view(), name="annotation"),
    path("articles/<slug:slug>/annotations/", api.ContainerView.as_view(), name="container"),
    path("articles/<slug:slug>/annotations/<int:pk>", api.AnnotationView.as_view(), name="article_annotation"),
]

# Revisions: public history and diffs (annotations/views/corrections.py); restoring is for reviewers.
urlpatterns += [
    path("articles/<slug:slug>/revisions/", corrections.RevisionListView.as_view(), name="revision_list"),
    path("articles/<slug:slug>/diff/", corrections.RevisionDiffView.as_view(), name="revision_diff"),
    path(
        "articles/<slug:slug>/revisions/<int:number>/restore/",
        corrections.RevisionRestoreView.as_view(),
        name="revision_restore",
    ),
]

# Entities, topics and search (annotations/views/entities.py, search.py): public, readable without JavaScript.
urlpatterns += [
    path("entities/", entity_views.EntityListView.as_view(), name="entity_list"),
    path("entities/<str:slug>/", entity_views.EntityDetailView.as_view(), name="entity_detail"),
    path("tags/<str:slug>/", entity_views.TagDetailView.as_view(), name="tag_detail"),
    path("search", search_views.SearchView.as_view(), name="search"),
]
