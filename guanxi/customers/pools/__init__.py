"""Public pools (公海): pools, return rules, claims and releases.

A sub-domain of the customers app with the standard anatomy: models/, filtersets, forms, tables,
views, services/, api/, tests/."""
