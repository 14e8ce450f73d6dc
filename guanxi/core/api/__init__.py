"""REST API of the platform entities: tags, custom fields and the change log."""
