from django.urls import path

from evaluations.api import views

urlpatterns = [
    path("panels/<int:pk>/assignment-runs/", views.PanelAssignmentRunsApi.as_view(), name="api-panel-runs"),
    path("assignment-runs/<int:pk>/", views.AssignmentRunApi.as_view(), name="api-assignment-run"),
    path(
        "assignment-runs/<int:pk>/apply/",
        views.ApplyAssignmentRunApi.as_view(),
        name="api-assignment-run-apply",
    ),
    path(
        "assignment-runs/<int:pk>/cancel/",
        views.CancelAssignmentRunApi.as_view(),
        name="api-assignment-run-cancel",
    ),
    path("panels/", views.PanelListCreateApi.as_view(), name="api-panels"),
    path("panels/<int:pk>/", views.PanelDetailApi.as_view(), name="api-panel"),
    path("panels/<int:pk>/members/", views.PanelMembersApi.as_view(), name="api-panel-members"),
    path("panels/<int:pk>/pledge/", views.PledgeApi.as_view(), name="api-panel-pledge"),
    path("panels/<int:pk>/conflicts/", views.PanelConflictsApi.as_view(), name="api-panel-conflicts"),
    path("panels/<int:pk>/waivers/", views.PanelWaiversApi.as_view(), name="api-panel-waivers"),
    path("panels/<int:pk>/assignments/", views.PanelAssignmentsApi.as_view(), name="api-panel-assignments"),
    path("panels/<int:pk>/scores/", views.PanelScoresApi.as_view(), name="api-panel-scores"),
    path("panels/<int:pk>/results/", views.PanelResultsApi.as_view(), name="api-panel-results"),
    path("panels/<int:pk>/selection/", views.PanelSelectionApi.as_view(), name="api-panel-selection"),
    path("panels/<int:pk>/close/", views.ClosePanelApi.as_view(), name="api-panel-close"),
    path("panels/<int:pk>/notify/", views.NotifyResultsApi.as_view(), name="api-panel-notify"),
    path("panels/<int:pk>/objections/", views.PanelObjectionsApi.as_view(), name="api-panel-objections"),
    path(
        "assignments/<int:pk>/withdraw/",
        views.WithdrawAssignmentApi.as_view(),
        name="api-assignment-withdraw",
    ),
    path("objections/<int:pk>/answer/", views.AnswerObjectionApi.as_view(), name="api-objection-answer"),
    path("reviews/", views.ReviewQueueApi.as_view(), name="api-reviews"),
    path("reviews/<int:pk>/", views.ReviewApi.as_view(), name="api-review"),
    path("reviews/<int:pk>/submit/", views.SubmitReviewApi.as_view(), name="api-review-submit"),
    path("reviews/<int:pk>/conflict/", views.DeclareConflictApi.as_view(), name="api-review-conflict"),
    path(
        "reviews/<int:pk>/documents/<int:doc_id>/",
        views.ReviewDocumentApi.as_view(),
        name="api-review-document",
    ),
    path("results/", views.MyResultsApi.as_view(), name="api-results"),
    path("results/<int:pk>/objections/", views.FileObjectionApi.as_view(), name="api-result-objections"),
]
