from django.urls import path

from awards.api import views

urlpatterns = [
    path("", views.AwardListCreateApi.as_view(), name="api-awards"),
    path("<int:pk>/", views.AwardDetailApi.as_view(), name="api-award"),
    path("<int:pk>/ledger/", views.LedgerApi.as_view(), name="api-award-ledger"),
    path(
        "<int:pk>/disbursements/", views.DisbursementListRequestApi.as_view(), name="api-award-disbursements"
    ),
    path("<int:pk>/grades/", views.GradeListCreateApi.as_view(), name="api-award-grades"),
    path("<int:pk>/stop/", views.StopApi.as_view(), name="api-award-stop"),
    path("<int:pk>/changes/", views.ChangeListCreateApi.as_view(), name="api-award-changes"),
    path("<int:pk>/carry-overs/", views.CarryOverListCreateApi.as_view(), name="api-award-carry-overs"),
    path("<int:pk>/recoveries/", views.RecoveryListCreateApi.as_view(), name="api-award-recoveries"),
    path("<int:pk>/settlements/", views.SettlementListApi.as_view(), name="api-award-settlements"),
    path("<int:pk>/letter/", views.AwardLetterApi.as_view(), name="api-award-letter"),
    path("<int:pk>/agreement/", views.AgreementUploadApi.as_view(), name="api-award-agreement"),
    path("<int:pk>/objections/", views.StopObjectionListFileApi.as_view(), name="api-award-objections"),
    path("objections/<int:pk>/decide/", views.StopObjectionDecideApi.as_view(), name="api-objection-decide"),
    path("ledger/<int:pk>/reverse/", views.ReverseEntryApi.as_view(), name="api-ledger-reverse"),
    path(
        "disbursements/<int:pk>/approve/",
        views.DisbursementStepApi.as_view(step="approve"),
        name="api-disbursement-approve",
    ),
    path(
        "disbursements/<int:pk>/pay/",
        views.DisbursementStepApi.as_view(step="pay"),
        name="api-disbursement-pay",
    ),
    path(
        "disbursements/<int:pk>/reject/",
        views.DisbursementStepApi.as_view(step="reject"),
        name="api-disbursement-reject",
    ),
    path("changes/<int:pk>/decide/", views.DecideChangeApi.as_view(), name="api-change-decide"),
    path("recoveries/<int:pk>/pay/", views.RecoveryPayApi.as_view(), name="api-recovery-pay"),
    path("settlements/<int:pk>/submit/", views.SettlementSubmitApi.as_view(), name="api-settlement-submit"),
]
