from django.urls import path

from bench.minimal.views import sign

urlpatterns = [path("sign/", sign)]
