from django.urls import path

from awards import views

app_name = "awards-portal"

urlpatterns = [
    path("my/awards/", views.award_list, name="awards"),
    path("my/awards/<int:pk>/", views.award_detail, name="award"),
]
