from . import referrals  # noqa
