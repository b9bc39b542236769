from django.urls import path

from editor.views import corrections, dashboard, entities, links, review, workspace

app_name = "editor"
urlpatterns = [
    path("", dashboard.DashboardView.as_view(), name="dashboard"),
    path("upload/", dashboard.UploadView.as_view(), name="upload"),
    path("review/", corrections.ReviewView.as_view(), name="review"),
    path("review/suggestions/", review.SuggestionReviewView.as_view(), name="suggestions_review"),
    path("entities/lookup/", entities.EntityLookupView.as_view(), name="entity_lookup"),
    path("articles/lookup/", links.ArticleLookupView.as_view(), name="article_lookup"),
    path("articles/<slug:slug>/", workspace.WorkspaceView.as_view(), name="workspace"),
    path("articles/<slug:slug>/notes/", workspace.NoteCreateView.as_view(), name="note_create"),
    path("articles/<slug:slug>/corrections/", corrections.CorrectionCreateView.as_view(), name="correction_create"),
    path("articles/<slug:slug>/entities/", entities.EntityTagView.as_view(), name="entity_tag"),
    path("articles/<slug:slug>/links/", links.LinkCreateView.as_view(), name="link_create"),
    path(
        "articles/<slug:slug>/annotations/<int:pk>/", workspace.AnnotationActionView.as_view(), name="annotation_action"
    ),
]
