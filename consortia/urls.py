"""The applicant portal, under /my/ (included at "" by config/urls.py)."""

from django.urls import path, register_converter

from consortia import views

app_name = "portal"


class StepConverter:
    regex = "|".join(views.STEP_NAMES)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(StepConverter, "step")

urlpatterns = [
    path("my/", views.home, name="home"),
    path(
        "my/invitations/<int:pk>/<str:answer>/",
        views.invitation_answer,
        name="invitation-answer",
    ),
    path("my/organisations/search/", views.organisation_search, name="organisation-search"),
    path("my/consortia/new/", views.consortium_create, name="consortium-new"),
    path("my/consortia/<int:pk>/", views.consortium_detail, name="consortium"),
    path("my/consortia/<int:pk>/members/<int:member_pk>/remove/", views.member_remove, name="member-remove"),
    path("my/consortia/<int:pk>/applications/new/", views.application_create, name="application-new"),
    path("my/applications/<int:pk>/", views.application_detail, name="application"),
    path("my/applications/<int:pk>/timeline/", views.application_timeline, name="timeline"),
    path("my/applications/<int:pk>/withdraw/", views.application_withdraw, name="withdraw"),
    path(
        "my/applications/<int:pk>/documents/<int:document_pk>/",
        views.document_download,
        name="document",
    ),
    path(
        "my/applications/<int:pk>/documents/<int:document_pk>/delete/",
        views.document_delete,
        name="document-delete",
    ),
    path(
        "my/applications/<int:pk>/declared-projects/",
        views.declared_projects,
        name="declared-projects",
    ),
    path("my/applications/<int:pk>/<step:step>/", views.application_step, name="step"),
]
