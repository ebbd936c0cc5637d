from django.urls import path

from monitoring import views

app_name = "monitoring-portal"

urlpatterns = [
    path("my/awards/<int:pk>/milestones/", views.milestones, name="milestones"),
    path("my/awards/<int:pk>/kpis/", views.kpi_reports, name="kpis"),
]
