"""Location -> regulatory regime, and what that regime allows before a choice.

Regimes:
- "opt-in": nothing but strictly necessary before a choice (ePrivacy Art. 5(3)).
- "opt-out": tags may run; the banner offers "Do Not Sell or Share My Personal
  Information" and Global Privacy Control is honoured as that opt-out.
- "notice": tags may run; the banner informs and offers the same choices.

Rules, most specific first (see docs/GEO.md):
1. a site override ("opt-in", "opt-out", "notice") wins; None or "auto" uses the rules;
2. no location or no country: opt-in (fail safe);
3. CA-QC: opt-in (Quebec Law 25); a Canadian location without a province: opt-in
   (it may be Quebec: fail safe);
4. a US state in ``US_OPT_OUT_STATES``: opt-out; a US location without a state:
   opt-out (it may be one of them: fail safe); other states: notice;
5. EU/EEA (including the EU's outermost regions and the Aland Islands, which
   GeoIP databases list under their own codes), UK, Switzerland, Brazil: opt-in;
6. anywhere else: notice.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.location import Location

OPT_IN = "opt-in"
OPT_OUT = "opt-out"
NOTICE = "notice"
REGIMES = (OPT_IN, OPT_OUT, NOTICE)

EU = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)
"""The 27 EU member states (ISO 3166-1; Greece is GR, not the EU's "EL")."""

EU_TERRITORIES = frozenset("AX GF GP MF MQ RE YT".split())
"""Parts of the EU with their own ISO codes: Aland (FI); French Guiana, Guadeloupe,
Saint-Martin, Martinique, Reunion, Mayotte (FR outermost regions, TFEU Art. 349/355).
The other outermost regions (Azores, Madeira, Canary Islands) are coded PT and ES."""

EEA = EU | EU_TERRITORIES | frozenset({"IS", "LI", "NO"})

OPT_IN_COUNTRIES = {
    **{country: "EU/EEA" for country in EEA},
    "GB": "UK",
    "CH": "Switzerland",
    "BR": "Brazil (LGPD)",
}

US_OPT_OUT_STATES = {
    "CA": "CCPA/CPRA",
    "CO": "CPA",
    "CT": "CTDPA",
    "DE": "DPDPA",
    "MD": "MODPA",
    "MN": "Minnesota CDPA",
    "MT": "Montana CDPA",
    "NE": "NDPA",
    "NH": "NH Privacy Act",
    "NJ": "NJDPA",
    "OR": "OCPA",
    "TX": "TDPSA",
}
"""US states whose privacy law requires honouring a universal opt-out mechanism
such as Global Privacy Control, with the date that duty took effect:

CA  California Consumer Privacy Act as amended by the CPRA; 11 CCR §7025 (2023-03-29)
CO  Colorado Privacy Act (2024-07-01)
CT  Connecticut Data Privacy Act (2025-01-01)
DE  Delaware Personal Data Privacy Act (2026-01-01)
MD  Maryland Online Data Privacy Act (2025-10-01)
MN  Minnesota Consumer Data Privacy Act (2025-07-31)
MT  Montana Consumer Data Privacy Act (2025-01-01)
NE  Nebraska Data Privacy Act (2025-01-01)
NH  New Hampshire Privacy Act (2025-01-01)
NJ  New Jersey Data Privacy Act (2025-07-15)
OR  Oregon Consumer Privacy Act (2026-01-01)
TX  Texas Data Privacy and Security Act (2025-01-01)

Source: the statutes as summarised by the IAPP "US State Privacy Legislation
Tracker" and globalprivacycontrol.org; all in force by 2026. States whose laws
have no universal opt-out duty (e.g. VA, UT, IA, IN, TN, KY, RI, NV) are notice.
Review this list yearly.
"""

SITE_OVERRIDES = (None, "auto", *REGIMES)


@dataclass(frozen=True)
class RegimeDecision:
    regime: str
    reason: str


def regime_for(location: Location | None, site_override: str | None = None) -> RegimeDecision:
    """The regime for a visitor at ``location`` on a site with ``site_override``.

    Raises ValueError for an override not in ``SITE_OVERRIDES`` (a site setting
    is validated when saved, so this is a programming error).
    """
    if site_override not in SITE_OVERRIDES:
        raise ValueError(f"unknown regime override: {site_override!r}")
    if site_override in REGIMES:
        return RegimeDecision(site_override, "site override")

    country = (location.country or "").upper() if location else ""
    region = (location.region or "").upper() if location else ""
    if not country:
        return RegimeDecision(OPT_IN, "unresolved location (fail safe)")
    if country == "CA":
        if region == "QC":
            return RegimeDecision(OPT_IN, "Quebec (Law 25)")
        if not region:
            return RegimeDecision(OPT_IN, "Canada, province unknown (fail safe)")
    if country == "US":
        if region in US_OPT_OUT_STATES:
            return RegimeDecision(OPT_OUT, f"US-{region} ({US_OPT_OUT_STATES[region]})")
        if not region:
            return RegimeDecision(OPT_OUT, "US, state unknown (fail safe)")
    if country in OPT_IN_COUNTRIES:
        return RegimeDecision(OPT_IN, OPT_IN_COUNTRIES[country])
    place = f"{country}-{region}" if region else country
    return RegimeDecision(NOTICE, f"{place}: no opt-in or opt-out rule")


def pre_choice_state(regime: str, gpc: bool = False) -> dict[str, bool]:
    """Which categories hold before the visitor has chosen.

    opt-in: nothing. opt-out: everything, except advertising when the browser
    sends Global Privacy Control (the "Do Not Sell or Share" opt-out). notice:
    everything. GPC only ever removes; it never grants.
    """
    if regime == OPT_IN:
        return {"analytics": False, "advertising": False}
    if regime == OPT_OUT:
        return {"analytics": True, "advertising": not gpc}
    if regime == NOTICE:
        return {"analytics": True, "advertising": True}
    raise ValueError(f"unknown regime: {regime!r}")


def consent_mode_defaults(regime: str, gpc: bool = False) -> dict[str, str | int]:
    """The Google Consent Mode v2 ``gtag('consent', 'default', ...)`` payload.

    It mirrors ``pre_choice_state`` so that the tags and Google's own flags never
    disagree: analytics -> analytics_storage; advertising -> ad_storage,
    ad_user_data, ad_personalization. In opt-in regimes all of them are denied
    until consent (COMPLIANCE.md: basic mode, tags blocked). In opt-out and
    notice regimes tags may run before a choice, so they default to granted,
    except advertising under GPC in opt-out regimes. functionality_storage and
    personalization_storage stay denied everywhere: no category of ours maps to
    them, so a visitor's choice could never withdraw them again.
    security_storage is strictly necessary and always granted.
    """
    state = pre_choice_state(regime, gpc)
    analytics = "granted" if state["analytics"] else "denied"
    advertising = "granted" if state["advertising"] else "denied"
    return {
        "ad_storage": advertising,
        "ad_user_data": advertising,
        "ad_personalization": advertising,
        "analytics_storage": analytics,
        "functionality_storage": "denied",
        "personalization_storage": "denied",
        "security_storage": "granted",
        "wait_for_update": 500,
    }
