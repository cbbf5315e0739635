from . import recommendations  # noqa: F401
from . import referrals  # noqa
