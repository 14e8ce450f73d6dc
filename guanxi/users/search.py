"""Search keys of people and departments: what the pickers (owner, assignee, department) look up.

Not part of the top bar's global search (``in_global_search = False``): people are found there
through the records they own. Keys of existing rows are written after ``migrate`` when missing
(``backfill``): indexes added to a populated database need no data migration. Declared as the
entities' ``search=`` in ``users/entities.py``.
"""

from guanxi.framework.search import SearchIndex
from guanxi.users.models import Department, User


class UserIndex(SearchIndex):
    model = User
    fields = (("name", 100), ("username", 80), ("email", 50), ("phone", 60))
    include_custom_fields = False
    in_global_search = False
    backfill = True


class DepartmentIndex(SearchIndex):
    model = Department
    fields = (("name", 100), ("name_en", 80))
    include_custom_fields = False
    in_global_search = False
    backfill = True
