from . import recommendations, referrals  # noqa: F401
