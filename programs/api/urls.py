from django.urls import path

from programs.api import views

urlpatterns = [
    path("programs/", views.ProgramListApi.as_view(), name="api-programs"),
    path("calls/", views.CallListCreateApi.as_view(), name="api-calls"),
    path("calls/<slug:code>/", views.CallDetailApi.as_view(), name="api-call"),
    path("calls/<slug:code>/guideline/", views.CallGuidelineApi.as_view(), name="api-call-guideline"),
    path("provinces/", views.ProvinceListApi.as_view(), name="api-provinces"),
    path(
        "provinces/<str:code>/successors/",
        views.ProvinceSuccessorsApi.as_view(),
        name="api-province-successors",
    ),
    path("region-schemes/", views.RegionSchemeListApi.as_view(), name="api-region-schemes"),
]
