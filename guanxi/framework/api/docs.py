def api_docs_urls() -> list:
    return []
