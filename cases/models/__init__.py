"""Models of the cases app: judicial recommendations and case referrals."""

from .referrals import *  # noqa
