from django.urls import path

from rallypoint.search import views

urlpatterns = [
    path("search/", views.search, name="search"),
]
