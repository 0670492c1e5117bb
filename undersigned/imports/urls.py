from django.urls import path

from undersigned.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.start, name="start"),
    path("confirm/", views.confirm, name="confirm"),
    path("<int:pk>/publish/", views.publish, name="publish"),
]
