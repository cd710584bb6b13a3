from django.urls import path

from rallypoint.spaces import views

urlpatterns = [
    path("spaces/", views.space_list, name="spaces_list"),
    path("spaces/new/", views.space_create, name="spaces_create"),
    path("spaces/<slug:slug>/", views.space_detail, name="spaces_detail"),
    path("spaces/<slug:slug>/join/", views.space_join, name="spaces_join"),
    path("spaces/<slug:slug>/leave/", views.space_leave, name="spaces_leave"),
    path("spaces/<slug:slug>/request/", views.space_request_join, name="spaces_request_join"),
    path("spaces/<slug:slug>/invitation/", views.invitation_answer, name="spaces_invitation"),
    path("spaces/<slug:slug>/members/", views.space_members, name="spaces_members"),
    path("spaces/<slug:slug>/members/invite/", views.space_invite, name="spaces_invite"),
    path(
        "spaces/<slug:slug>/members/<int:pk>/role/",
        views.member_role_set,
        name="spaces_member_role",
    ),
    path(
        "spaces/<slug:slug>/members/<int:pk>/remove/",
        views.member_remove,
        name="spaces_member_remove",
    ),
    path(
        "spaces/<slug:slug>/requests/<int:pk>/",
        views.join_request_decide,
        name="spaces_request_decide",
    ),
    path("spaces/<slug:slug>/settings/", views.space_settings, name="spaces_settings"),
    path("spaces/<slug:slug>/archive/", views.space_archive, name="spaces_archive"),
    path("admin-tools/spaces/", views.spaces_admin_settings, name="spaces_admin_settings"),
]
