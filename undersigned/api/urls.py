from django.urls import path

from undersigned.api.feeds import OpenStatementsFeed, StatementFeed

app_name = "feeds"
urlpatterns = [
    path("feeds/statements.atom", OpenStatementsFeed(), name="open_statements"),
    path("s/<slug:slug>/feed.atom", StatementFeed(), name="statement"),
]
