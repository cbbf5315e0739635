from . import (
    recommendations,  # noqa: F401
    referrals,  # noqa
)
