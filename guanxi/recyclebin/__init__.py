"""The recycle bin (回收站): deleted business records kept for a while, restorable with their relations."""
