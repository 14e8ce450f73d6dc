"""Deal search is declared with the entity (the deals branch moves it to entities.py)."""
