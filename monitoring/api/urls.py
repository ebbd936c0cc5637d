from django.urls import path

from monitoring.api import views

urlpatterns = [
    path("milestones/", views.MilestoneListApi.as_view(), name="api-milestones"),
    path("milestones/<int:pk>/", views.MilestoneDetailApi.as_view(), name="api-milestone"),
    path("milestones/<int:pk>/submit/", views.SubmitMilestoneApi.as_view(), name="api-milestone-submit"),
    path(
        "milestones/<int:pk>/accept/",
        views.DecideMilestoneApi.as_view(step="accept"),
        name="api-milestone-accept",
    ),
    path(
        "milestones/<int:pk>/return/",
        views.DecideMilestoneApi.as_view(step="return"),
        name="api-milestone-return",
    ),
    path("kpi-reports/", views.KpiReportListCreateApi.as_view(), name="api-kpi-reports"),
    path(
        "kpi-reports/<int:pk>/validate/",
        views.DecideKpiReportApi.as_view(step="validate"),
        name="api-kpi-report-validate",
    ),
    path(
        "kpi-reports/<int:pk>/return/",
        views.DecideKpiReportApi.as_view(step="return"),
        name="api-kpi-report-return",
    ),
    path("rollups/", views.RollupListApi.as_view(), name="api-rollups"),
    path("rollups/rebuild/", views.RebuildRollupsApi.as_view(), name="api-rollups-rebuild"),
    path("tasks/<str:task_id>/", views.TaskProgressApi.as_view(), name="api-monitoring-task"),
]
