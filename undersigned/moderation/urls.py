from django.urls import path

from undersigned.moderation import views

app_name = "moderation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("duplicates/<int:pk>/", views.duplicate, name="duplicate"),
]
