"""Validation: YAML with positions (loader), the JSON Schema (schema), catalogs, the meaning checks, and whole trees."""
