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


class TypeGroup(models.TextChoices):
    """Groups of organisation types a call's member-type minimum may name, as calls write them."""

    ANY_FIRM = "any_firm", _("firms of any size")
    ANY_RESEARCH_INSTITUTE = "any_research_institute", _("research institutes, government-funded or other")


TYPE_GROUPS: dict[str, frozenset[str]] = {
    TypeGroup.ANY_FIRM: FIRM_TYPES,
    TypeGroup.ANY_RESEARCH_INSTITUTE: frozenset(
        {OrganisationType.GOVERNMENT_RESEARCH_INSTITUTE, OrganisationType.RESEARCH_INSTITUTE}
    ),
}
# What a member-type minimum names: one type, or a group of them.
REQUIREMENT_TYPE_CHOICES = [*OrganisationType.choices, *TypeGroup.choices]


def types_of(requirement_type: str) -> frozenset[str]:
    """The organisation types a minimum counts: the group's, or the one type."""
    return TYPE_GROUPS.get(requirement_type, frozenset({requirement_type}))


class DocumentKind(models.TextChoices):
    """Kinds of application document; a call lists the kinds it requires."""

    PROPOSAL = "proposal", _("project plan")
    COMMITMENT = "commitment", _("matching commitment letter")
    AGREEMENT = "agreement", _("consortium agreement")
    OTHER = "other", _("other")


class KpiIndicator(models.TextChoices):
    """The KPI catalogue (domain.md, "Monitoring"): money indicators are whole won."""

    NEW_JOBS = "new_jobs", _("new jobs")
    NEW_JOBS_REGULAR = "new_jobs_regular", _("new jobs: regular")
    NEW_JOBS_YOUTH = "new_jobs_youth", _("new jobs: youth")
    FIRMS_ATTRACTED = "firms_attracted", _("firms attracted")
    FIRMS_FROM_CAPITAL = "firms_from_capital", _("firms moved from the capital region")
    SALES_KRW = "sales_krw", _("commercialisation sales (KRW)")
    PATENTS_FILED = "patents_filed", _("patents filed")
    PATENTS_REGISTERED = "patents_registered", _("patents registered")
    PAPERS = "papers", _("papers")
    DEEPTECH_STARTUPS = "deeptech_startups", _("deep-tech startups")
    RESEARCHERS = "researchers", _("researchers")
    TECH_TRANSFERS = "tech_transfers", _("technology transfers")
    ROYALTIES_KRW = "royalties_krw", _("royalties (KRW)")
    FOLLOW_ON_INVESTMENT_KRW = "follow_on_investment_krw", _("follow-on investment (KRW)")
