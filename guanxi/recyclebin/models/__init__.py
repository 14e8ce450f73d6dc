from guanxi.recyclebin.models.entry import RecycleBinEntry

__all__ = ["RecycleBinEntry"]
