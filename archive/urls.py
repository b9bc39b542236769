from django.urls import path

from archive import views

app_name = "archive"
urlpatterns = [
    path("", views.ArticleListView.as_view(), name="article_list"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="article_detail"),
    path("articles/<slug:slug>/original/", views.OriginalDetailView.as_view(), name="original_detail"),
]
