"""The back office's sidebar, by task: 공모, 신청, 평가, 협약·집행, 시스템.

Built per request from the admin site's registry, so a link appears only when its model admin lets
the user in (no link that ends in a 403), and models other apps add later (evaluations' panels,
awards) appear in their group as soon as they are registered.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# (group title, [(app_label.model_name, Material Symbols icon)]); titles are translated per request.
GROUPS: list[tuple[str, list[tuple[str, str]]]] = [
    (gettext_noop("Calls"), [("programs.program", "account_balance"), ("programs.call", "campaign")]),
    (
        gettext_noop("Applications"),
        [
            ("consortia.application", "description"),
            ("consortia.consortium", "groups"),
            ("consortia.organisation", "apartment"),
        ],
    ),
    (
        gettext_noop("Evaluation"),
        [
            ("evaluations.review", "rate_review"),
            ("evaluations.panel", "gavel"),
            ("evaluations.conflict", "block"),
            ("evaluations.objection", "report"),
            ("evaluations.reviewer", "person_search"),
        ],
    ),
    (
        gettext_noop("Awards and disbursement"),
        [
            ("awards.award", "handshake"),
            ("awards.award:dashboard", "bar_chart"),
            ("awards.tranche", "event_repeat"),
            ("awards.disbursement", "payments"),
        ],
    ),
    (
        gettext_noop("Monitoring"),
        [
            ("monitoring.milestone:dashboard", "insights"),
            ("monitoring.milestone", "flag"),
            ("monitoring.kpireport", "monitoring"),
        ],
    ),
    (
        gettext_noop("System"),
        [
            ("accounts.user", "manage_accounts"),
            ("django_celery_beat.periodictask", "schedule"),
            ("consortia.notice", "mail"),
            ("consortia.export", "download"),
            ("programs.province", "map"),
            ("programs.regionscheme", "public"),
            ("programs.costsharerate", "percent"),
            ("programs.workerheartbeat", "monitor_heart"),
        ],
    ),
]


def _registered(label: str):
    app_label, model_name = label.split(".")
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label == app_label and model._meta.model_name == model_name:
            return model, model_admin
    return None, None


# Pages beside a model's list, shown to whoever may open that model: label -> (URL name, title).
PAGES = {
    "awards.award:dashboard": ("admin:awards_dashboard", gettext_noop("Awards dashboard")),
    "monitoring.milestone:dashboard": ("admin:monitoring_dashboard", gettext_noop("Monitoring dashboard")),
}


def _item(request, label: str, icon: str) -> dict | None:
    page = PAGES.get(label)
    label = label.split(":")[0]
    model, model_admin = _registered(label)
    if model is None:
        return None
    if not (model_admin.has_module_permission(request) and model_admin.has_view_permission(request)):
        return None
    try:
        changelist = f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        link = reverse(page[0] if page else changelist)
    except NoReverseMatch:
        return None
    pages = [reverse(name) for name, _title in PAGES.values()]
    return {
        "title": _(page[1]) if page else str(model._meta.verbose_name_plural).capitalize(),
        # A dashboard lives under its model's list URL: only the one that was opened is lit.
        "active": lambda request, link=link: (
            request.path.startswith(link)
            and (link in pages or not any(request.path.startswith(p) for p in pages))
        ),
        "icon": icon,
        "link": link,
        # The check above already decided; unfold asks again per item.
        "permission": lambda request: True,
    }


def navigation(request) -> list[dict]:
    """Unfold's SIDEBAR["navigation"]: the groups with at least one model the user may open."""
    groups = []
    for title, labels in GROUPS:
        items = [item for label, icon in labels if (item := _item(request, label, icon))]
        if items:
            groups.append({"title": _(title), "separator": True, "collapsible": False, "items": items})
    return groups
