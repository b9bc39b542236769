from django.urls import path

from editor.views import dashboard, workspace

app_name = "editor"
urlpatterns = [
    path("", dashboard.DashboardView.as_view(), name="dashboard"),
    path("upload/", dashboard.UploadView.as_view(), name="upload"),
    path("articles/<slug:slug>/", workspace.WorkspaceView.as_view(), name="workspace"),
    path("articles/<slug:slug>/notes/", workspace.NoteCreateView.as_view(), name="note_create"),
    path(
        "articles/<slug:slug>/annotations/<int:pk>/", workspace.AnnotationActionView.as_view(), name="annotation_action"
    ),
]
