from django.urls import re_path

from undersigned.deliveries import views

urlpatterns = [
    re_path(
        r"^s/(?P<slug>[-a-zA-Z0-9_]+)/list\.(?P<fmt>csv|json)$",
        views.public_list,
        name="public_list",
    ),
]
