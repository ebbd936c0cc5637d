from django.urls import path

from consortia.api import views

urlpatterns = [
    path("organisations/", views.OrganisationListCreateApi.as_view(), name="api-organisations"),
    path("consortia/", views.ConsortiumListCreateApi.as_view(), name="api-consortia"),
    path("consortia/<int:pk>/", views.ConsortiumDetailApi.as_view(), name="api-consortium"),
    path("consortia/<int:pk>/members/", views.AddMemberApi.as_view(), name="api-consortium-members"),
    path(
        "consortia/<int:pk>/invitations/", views.InviteCoLeadApi.as_view(), name="api-consortium-invitations"
    ),
    path("invitations/", views.InvitationListApi.as_view(), name="api-invitations"),
    path("invitations/<int:pk>/accept/", views.AcceptInvitationApi.as_view(), name="api-invitation-accept"),
    path(
        "invitations/<int:pk>/decline/", views.DeclineInvitationApi.as_view(), name="api-invitation-decline"
    ),
    path(
        "consortia/<int:pk>/members/<int:member_id>/",
        views.RemoveMemberApi.as_view(),
        name="api-consortium-member",
    ),
    path("applications/", views.ApplicationListCreateApi.as_view(), name="api-applications"),
    path("applications/<int:pk>/", views.ApplicationDetailApi.as_view(), name="api-application"),
    path("applications/<int:pk>/budget/", views.SetBudgetApi.as_view(), name="api-application-budget"),
    path("applications/<int:pk>/kpis/", views.SetKpiTargetsApi.as_view(), name="api-application-kpis"),
    path(
        "applications/<int:pk>/milestones/",
        views.SetMilestonesApi.as_view(),
        name="api-application-milestones",
    ),
    path("applications/<int:pk>/people/", views.SetPeopleApi.as_view(), name="api-application-people"),
    path(
        "applications/<int:pk>/documents/",
        views.UploadDocumentApi.as_view(),
        name="api-application-documents",
    ),
    path(
        "applications/<int:pk>/documents/<int:doc_id>/",
        views.DeleteDocumentApi.as_view(),
        name="api-application-document",
    ),
    path(
        "applications/<int:pk>/documents/<int:doc_id>/download/",
        views.DownloadDocumentApi.as_view(),
        name="api-application-document-download",
    ),
    path(
        "applications/<int:pk>/declared-projects/",
        views.DeclaredProjectsApi.as_view(),
        name="api-application-declared-projects",
    ),
    path(
        "applications/<int:pk>/declared-projects/<int:project_id>/",
        views.DeclaredProjectApi.as_view(),
        name="api-application-declared-project",
    ),
    path("applications/<int:pk>/check/", views.CheckApplicationApi.as_view(), name="api-application-check"),
    path(
        "applications/<int:pk>/submit/", views.SubmitApplicationApi.as_view(), name="api-application-submit"
    ),
    path(
        "applications/<int:pk>/withdraw/",
        views.WithdrawApplicationApi.as_view(),
        name="api-application-withdraw",
    ),
    path(
        "applications/<int:pk>/decide/", views.DecideApplicationApi.as_view(), name="api-application-decide"
    ),
    path(
        "applications/<int:pk>/events/", views.ApplicationEventsApi.as_view(), name="api-application-events"
    ),
]
