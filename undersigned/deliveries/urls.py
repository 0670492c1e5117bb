from django.urls import path

from undersigned.deliveries import views

urlpatterns = [
    path("keys/export-ed25519.pub", views.export_key, name="export_key"),
]
