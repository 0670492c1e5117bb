from django.urls import path

from undersigned.statements import views

app_name = "statements"
urlpatterns = [
    path("", views.home, name="home"),
    path("s/<slug:slug>/", views.detail, name="detail"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
