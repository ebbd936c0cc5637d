from django.urls import path

from awards import views

app_name = "awards-portal"

urlpatterns = [
    path("my/awards/", views.award_list, name="awards"),
    path("my/awards/<int:pk>/", views.award_detail, name="award"),
    path("my/awards/<int:pk>/letter.pdf", views.award_letter, name="award-letter"),
    path("my/awards/<int:pk>/agreement/", views.upload_agreement, name="award-agreement"),
    path("my/awards/<int:pk>/objection/", views.file_objection, name="award-objection"),
]
