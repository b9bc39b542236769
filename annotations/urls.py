from django.urls import path  # noqa: F401 - each feature adds its patterns below

app_name = "annotations"
urlpatterns: list = []
