from guanxi.quotes.models.quote import MAX_LINES, MAX_TERMS, Quote, QuoteLine, QuoteStatus

__all__ = ["MAX_LINES", "MAX_TERMS", "Quote", "QuoteLine", "QuoteStatus"]
