"""Leads (线索): capture, assignment, claiming, qualification and conversion.

A sub-domain of the customers app with the standard anatomy: models/, filtersets, forms, tables,
views, services/, api/, tests/."""
