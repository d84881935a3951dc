"""The public JSON API that the banner, the sites' forms and staff tools call (and its OpenAPI
document)."""
