"""pytest fixtures shared by every test module (personas, actor context); see conftest.py."""
