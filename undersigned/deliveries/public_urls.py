from django.urls import re_path

from undersigned.deliveries import views

urlpatterns = [
    re_path(
        r"^delivered/(?P<pk>[0-9]{1,18})/(?P<token>[0-9a-f]{32})/(?P<name>[-a-zA-Z0-9_.]{1,200})$",
        views.delivered_file,
        name="delivered_file",
    ),
    re_path(
        r"^updates/stop/(?P<token>[0-9]{1,18}-[0-9a-f]{32})/$",
        views.stop_updates,
        name="stop_updates",
    ),  # fmt: skip
    re_path(r"^verify/$", views.verify_page, name="verify"),
    re_path(
        r"^s/(?P<slug>[-a-zA-Z0-9_]+)/list\.(?P<fmt>csv|json)$",
        views.public_list,
        name="public_list",
    ),
]
