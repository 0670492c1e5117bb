from django.urls import path, re_path

from undersigned.workspace import views

app_name = "workspace"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/s/<slug:slug>/entries/", views.entries, name="entries"),
    path("dashboard/s/<slug:slug>/entries/<int:pk>/", views.entry, name="entry"),
    path("dashboard/s/<slug:slug>/members/", views.members, name="members"),
    path("dashboard/new/", views.statement_new, name="statement_new"),
    path("dashboard/s/<slug:slug>/", views.statement_overview, name="statement"),
    path("dashboard/s/<slug:slug>/settings/", views.statement_settings, name="settings"),
    path("dashboard/s/<slug:slug>/addressees/", views.addressees, name="addressees"),
    path("dashboard/s/<slug:slug>/export/", views.export, name="export"),
    path("dashboard/s/<slug:slug>/export/<int:pk>/", views.export_file, name="export_file"),
    path("dashboard/s/<slug:slug>/deliver/", views.deliver, name="deliver"),
    path("dashboard/s/<slug:slug>/share/", views.share_material, name="share"),
    path("dashboard/s/<slug:slug>/tokens/", views.tokens, name="tokens"),
    re_path(
        r"^dashboard/s/(?P<slug>[-a-zA-Z0-9_]+)/share/(?P<language>[a-z]{2}(?:-[a-z]+)?)\.(?P<fmt>svg|png|pdf)$",
        views.share_file,
        name="share_file",
    ),
    path("dashboard/s/<slug:slug>/texts/<str:language>/", views.text_edit, name="text"),
    path("invite/<str:token>/", views.invitation, name="invitation"),
]
