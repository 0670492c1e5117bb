from django.urls import path, re_path

from undersigned.signatures import views

app_name = "signatures"
urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("s/<slug:slug>/", views.statement_page, name="statement"),
    path("s/<slug:slug>/share/mastodon/", views.share_mastodon, name="share_mastodon"),
    path("s/<slug:slug>/card.png", views.share_card, name="card"),
    path("embed/s/<slug:slug>/", views.embed, name="embed"),
    path("embed/s/<slug:slug>/sign/", views.embed_sign, name="embed_sign"),
    path("embed/s/<slug:slug>/sign/sent/", views.embed_sent, name="embed_sent"),
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
    path("s/<slug:slug>/history/", views.history, name="history"),
    path("preview/<str:token>/", views.preview, name="preview"),
    path("preview/<str:token>/sent/", views.preview_sent, name="preview_sent"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("manage/<str:token>/", views.manage, name="manage"),
]
