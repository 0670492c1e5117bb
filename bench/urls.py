from django.urls import path

from bench.baseline.views import baseline
from undersigned.urls import urlpatterns as platform

urlpatterns = [path("bench/baseline/", baseline, name="baseline"), *platform]
