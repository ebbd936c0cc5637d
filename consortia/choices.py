"""Choice lists that other apps' rules refer to (the call's member-type minimums)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationType(models.TextChoices):
    LOCAL_GOVERNMENT = "local_government", _("local government")
    UNIVERSITY = "university", _("university")
    GOVERNMENT_RESEARCH_INSTITUTE = "gri", _("government-funded research institute")
    RESEARCH_INSTITUTE = "research_institute", _("other research institute")
    LARGE_FIRM = "large_firm", _("large firm")
    MIDSIZE_FIRM = "midsize_firm", _("mid-size firm")
    SME = "sme", _("small or medium firm")
    STARTUP = "startup", _("startup")
    PUBLIC_AGENCY = "public_agency", _("public agency")
    NON_PROFIT = "non_profit", _("non-profit")


FIRM_TYPES = frozenset(
    {
        OrganisationType.LARGE_FIRM,
        OrganisationType.MIDSIZE_FIRM,
        OrganisationType.SME,
        OrganisationType.STARTUP,
    }
)
