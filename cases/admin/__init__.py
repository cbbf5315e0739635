from . import recommendations  # noqa: F401
