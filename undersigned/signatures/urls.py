from django.urls import path, re_path

from undersigned.signatures import views

app_name = "signatures"
urlpatterns = [
    re_path(
        r"^s/(?P<slug>[-a-zA-Z0-9_]+)/sign/(?P<kind>individual|organization)/$",
        views.sign,
        name="sign",
    ),
    path("s/<slug:slug>/sign/sent/", views.sent, name="sent"),
    re_path(
        r"^s/(?P<slug>[-a-zA-Z0-9_]+)/(?P<kinds>organizations|individuals)/$",
        views.signatory_list,
        name="list",
    ),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("dashboard/s/<slug:slug>/entries/", views.entries, name="entries"),
    path("dashboard/s/<slug:slug>/entries/<int:pk>/", views.entry, name="entry"),
]
