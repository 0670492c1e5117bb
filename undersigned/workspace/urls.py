from django.urls import path

from undersigned.workspace import views

app_name = "workspace"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/s/<slug:slug>/entries/", views.entries, name="entries"),
    path("dashboard/s/<slug:slug>/entries/<int:pk>/", views.entry, name="entry"),
    path("dashboard/s/<slug:slug>/members/", views.members, name="members"),
    path("invite/<str:token>/", views.invitation, name="invitation"),
]
