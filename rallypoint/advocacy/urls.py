from rallypoint.advocacy.views import campaigns, library, sharing

urlpatterns = [*library.urlpatterns, *sharing.urlpatterns, *campaigns.urlpatterns]
