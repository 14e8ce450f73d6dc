"""REST API of users and departments (read-only) and of the caller's own profile (``me``)."""
