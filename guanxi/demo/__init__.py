"""Demo data for 星河科技有限公司 (Xinghe Technology): `manage.py demo` / `guanxi demo`."""
