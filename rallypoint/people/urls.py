from django.urls import path

from rallypoint.people.views import directory, importing, invitations, roles

urlpatterns = [
    path("people/", directory.directory, name="people_directory"),
    path("people/org-chart/", directory.org_chart, name="people_org_chart"),
    path("people/<int:pk>/", directory.profile, name="people_profile"),
    path("me/edit/", directory.profile_edit, name="people_profile_edit"),
    path("admin-tools/people/<int:pk>/role/", roles.role_set, name="people_role_set"),
    path("admin-tools/import/", importing.import_upload, name="people_import"),
    path("admin-tools/invitations/", invitations.invitation_list, name="people_invitations"),
    path("invite/<str:token>/", invitations.invitation_accept, name="people_invitation_accept"),
]
