"""The declaration (``sites.yaml``): the validated model, its loading, the banner configuration."""

from consent_gateway.declaration.load import load_sites
from consent_gateway.declaration.model import (
    FILE_TYPES,
    FIRST_PARTY,
    ContactField,
    ContactForm,
    Controller,
    Cookie,
    Purpose,
    Site,
    SitesConfig,
    Text,
    TextList,
    Transfer,
    Vendor,
    config_hash,
    country_name,
    served_config,
)

__all__ = [
    "FILE_TYPES",
    "FIRST_PARTY",
    "ContactField",
    "ContactForm",
    "Controller",
    "Cookie",
    "Purpose",
    "Site",
    "SitesConfig",
    "Text",
    "TextList",
    "Transfer",
    "Vendor",
    "config_hash",
    "country_name",
    "served_config",
    "load_sites",
]
