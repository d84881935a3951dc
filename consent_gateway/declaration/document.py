"""The shape of ``sites.yaml`` as pydantic v2 models: every key, its type, its limits, its meaning.

One model per mapping of the file, one line per key: its type (``values.py``: each with its own
check) and a ``Field`` whose description is what ``docs/sites-yaml.md`` and ``sites.schema.json``
say about it. Adding a key is adding its line to the model it belongs to; if the code reads it,
the attribute of the same name in ``model.py``'s dataclass too (``schema.py`` carries every key of
the same name across). Checks that relate keys (a purpose a site names, a vendor a site uses) live
in ``rules.py``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from consent_gateway.declaration.model import FIRST_PARTY
from consent_gateway.declaration.values import (
    AutocompleteToken,
    CallPath,
    CookieDays,
    CookieDomain,
    CookieName,
    CountryCode,
    Email,
    FabPosition,
    FieldKind,
    FieldName,
    FileKb,
    FileType,
    GcmType,
    Host,
    JsonValues,
    JurisdictionCode,
    Languages,
    LedgerDays,
    LegalBasis,
    LifetimeDays,
    MaxLength,
    NonEmpty,
    Origins,
    PiiCategories,
    PurposeId,
    Regex,
    RetentionDays,
    ScanPages,
    SiteId,
    Url,
    VendorId,
    Version,
)

# The gated elements of the demo page (/demo/<site>), each activated by the purpose a site names.
DEMO_TAGS = ("analytics", "marketing", "video")


class Strict(BaseModel):
    """A mapping of the file: its keys are these and no other, each of the declared type."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Text(Strict):
    """A text in each language of the interface."""

    fr: NonEmpty = Field(description="French.")
    en: NonEmpty = Field(description="English.")


class Dpo(Strict):
    name: NonEmpty = Field(description="The data protection officer's name or office.")
    email: Email = Field(description="Where data subjects write.")
    address: NonEmpty = Field(description="The postal address for rights requests.")


class Authority(Strict):
    name: NonEmpty = Field(description="The supervisory authority (e.g. the CNIL).")
    url: Url = Field(description="Its website, for complaints.")


class TransferDoc(Strict):
    country: Text = Field(description="The country personal data go to, in words.")
    safeguard: Text = Field(description="The GDPR chapter V safeguard (adequacy, standard clauses).")


class ControllerDoc(Strict):
    name: NonEmpty = Field(description="The data controller's legal name.")
    country: JurisdictionCode = Field(
        description="ISO 3166-1 alpha-2 code of the controller: the receipts' jurisdiction.")
    address: NonEmpty = Field(description="The controller's postal address.")
    dpo: Dpo = Field(description="The data protection officer.")
    authority: Authority = Field(description="The supervisory authority.")
    transfers: list[TransferDoc] = Field(description="Transfers outside the EEA, for the notice.")
    recipients: Text = Field(description="Who receives the data, for the notice.")


class PiiCategoriesDoc(Strict):
    """Kantara's ``piiCategory`` in each language: the same categories in the same order."""

    fr: PiiCategories = Field(description="In French.")
    en: PiiCategories = Field(description="In English.")


class PurposeDoc(Strict):
    label: Text = Field(description="The purpose's name, as the banner shows it.")
    description: Text = Field(description="What it is for, as the banner's preferences show it.")
    legal_basis: LegalBasis = Field(
        description="GDPR art. 6 basis; a purpose with trackers must be `consent`.")
    required: bool = Field(False, description="Always active (never for a consent-based purpose).")
    gpc_sensitive: bool = Field(False, description="Refused when the browser sends Global Privacy Control.")
    gcm: list[GcmType] = Field(
        default_factory=list, description="The Google Consent Mode types it grants.")
    trackers: bool = Field(False, description="Sets or reads non-essential trackers (cookies, pixels).")
    retention_days: RetentionDays = Field(
        description="How long its data are kept, in days (shown in words).")
    retention_note: Text | None = Field(None, description="What the period runs from, or a legal nuance.")
    pii_categories: PiiCategoriesDoc = Field(
        description="Kantara `piiCategory`: the categories of personal data, in each language.")


class VendorCookieDoc(Strict):
    name: CookieName = Field(
        description="The cookie's name; may end with a `*` wildcard.")
    domain: CookieDomain = Field(
        description=f"`{FIRST_PARTY}` (the embedding site's own domain) or a domain such as `.linkedin.com`.")
    duration_days: CookieDays = Field(
        description="Its lifetime in days (at most 395 for a tracker).")


class WithdrawCallDoc(Strict):
    call: CallPath = Field(description="A dotted path on `window` called on withdrawal.")
    args: JsonValues = Field(
        default_factory=list, description="Its arguments, JSON values.")


class VendorDoc(Strict):
    name: NonEmpty = Field(description="The vendor's product name, as the banner shows it.")
    provider: NonEmpty = Field(description="The company behind it.")
    purpose: NonEmpty = Field(description="The purpose it serves by default (a key of `purposes`).")
    country: CountryCode = Field(description="Where it processes data (ISO 3166-1 alpha-2).")
    transfer: Text | None = Field(None, description="The transfer's safeguard; required outside the EEA.")
    privacy_url: Url = Field(description="Its privacy policy.")
    cookies: list[VendorCookieDoc] = Field(default_factory=list, description="The cookies it sets.")
    on_withdraw: list[WithdrawCallDoc] = Field(
        default_factory=list, description="Opt-out calls the banner makes when consent is withdrawn.")
    first_party: bool = Field(False, description="Served by the site itself (its own analytics).")
    gcm: list[GcmType] | None = Field(
        None, description="The Consent Mode types it needs (GA4: `analytics_storage`; Google Ads: the `ad_*` "
        "types; `[]`: none); left out, its purpose's `gcm` applies.")
    hosts: list[Host] = Field(
        default_factory=list, description="The hosts its tags, pixels and frames load from (each covers "
        "its subdomains): how the tracker scan tells its requests from an undeclared one's.")


class SiteVendorDoc(Strict):
    id: NonEmpty = Field(description="A vendor of the catalogue.")
    purpose: NonEmpty | None = Field(None, description="The purpose it serves on this site instead.")


# A site's vendor: an id, or a mapping to use it for another purpose. The tags name the two forms
# in error locations (problems.py leaves them out of key paths).
UNION_TAGS = ("vendor id", "vendor with purpose")
SiteVendor = Annotated[
    Annotated[VendorId, Tag(UNION_TAGS[0])] | Annotated[SiteVendorDoc, Tag(UNION_TAGS[1])],
    Discriminator(lambda v: UNION_TAGS[1] if isinstance(v, dict) else UNION_TAGS[0]),
]


class ContactFieldDoc(Strict):
    name: FieldName = Field(
        description="The field's name in the form and the API.")
    purpose: NonEmpty = Field(description="The purpose it is collected for (a key of `purposes`).")
    required: bool = Field(False, description="The form cannot be sent without it.")
    kind: FieldKind = Field(description="How its value is checked.")
    label: Text = Field(description="Its label on the hosted form.")
    pattern: Regex | None = Field(
        None, description="A regular expression the value must match (kind `pattern`).")
    max_length: MaxLength = Field(200, description="The longest value, in characters.")
    hint: Text | None = Field(None, description="A hint shown under the field.")
    autocomplete: AutocompleteToken = Field(
        "off", description="The HTML autocomplete token.")
    accept: list[FileType] | None = Field(
        None, description="Kind `file` only: the file types accepted, recognised by their content.")
    max_size_kb: FileKb | None = Field(
        None, description="Kind `file` only: the size limit of one file, in KiB.")


class ContactDoc(Strict):
    fields: list[ContactFieldDoc] = Field(min_length=1, description="The form's fields, in order.")
    notice: Text = Field(description="The information notice's introduction.")


class DemoTagsDoc(Strict):
    analytics: NonEmpty | None = Field(None, description="The purpose that activates its analytics tag.")
    marketing: NonEmpty | None = Field(None, description="The purpose that activates its marketing pixel.")
    video: NonEmpty | None = Field(None, description="The purpose that activates its embedded video.")


class ScanDoc(Strict):
    pages: ScanPages = Field(description="Full URLs on the site's own origins.")


class SiteDoc(Strict):
    name: NonEmpty = Field(description="The site's name, as the banner shows it.")
    entity: NonEmpty = Field(description="The group company that runs it.")
    origins: Origins = Field(
        description="The origins (scheme://host[:port]) allowed to embed the banner and post.")
    origins_confirmed: bool = Field(False, description="The operator confirmed the origins are public.")
    languages: Languages = Field(
        description="The languages offered, the site's default first.")
    policy_url: Url = Field(description="The privacy policy.")
    cookie_policy_url: Url = Field(description="The cookie policy.")
    policy_version: Version = Field(description="A new version asks every visitor again.")
    consent_lifetime_days: LifetimeDays = Field(
        182, description="How long a choice lasts before the banner asks again.")
    purposes: list[NonEmpty] = Field(description="The purposes the banner offers (keys of `purposes`).")
    vendors: list[SiteVendor] = Field(
        default_factory=list, description="Vendor ids of the catalogue, or `{id, purpose}`.")
    contact: ContactDoc | None = Field(None, description="The contact form, if the site has one.")
    demo_tags: DemoTagsDoc = Field(DemoTagsDoc(), description="What gates the demo page.")
    reload_on_withdraw: bool = Field(True, description="Reload the page after a withdrawal.")
    fab_position: FabPosition = Field(
        "bottom-left", description="The corner of the floating \"manage cookies\" control, one the site's "
        "own content leaves free.")
    scan: ScanDoc | None = Field(None, description="The pages the tracker scan visits (default: each "
                                 "origin's `/`).")


class ConsentEventsDoc(Strict):
    retention_days: LedgerDays = Field(
        1826, description="How long consent decisions are kept, in days.")


class TextsDoc(Strict):
    """One mapping of text keys to words per language; each key in every language."""

    fr: dict[str, NonEmpty] = Field(description="The banner's words in French, by key.")
    en: dict[str, NonEmpty] = Field(description="The banner's words in English, by key.")


class SitesDocument(Strict):
    """The whole of ``sites.yaml``."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True,
                              title="iQera Consent Gateway declaration (sites.yaml)")

    controller: ControllerDoc = Field(description="Who is responsible for the processing.")
    purposes: dict[PurposeId, PurposeDoc] = Field(
        min_length=1, description="Every purpose, by id.")
    texts: TextsDoc = Field(description="The banner's words, by language then key.")
    vendors: dict[VendorId, VendorDoc] = Field(
        min_length=1, description="The vendor catalogue, by id: each vendor declared once.")
    sites: dict[SiteId, SiteDoc] = Field(min_length=1, description="Every site, by id.")
    consent_events: ConsentEventsDoc = Field(ConsentEventsDoc(),
                                             description="The consent ledger's retention.")
    to_confirm: list[NonEmpty] = Field(
        default_factory=list, description="What the operator must confirm before production.")
