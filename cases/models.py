"""Judicial recommendations and case referrals; their models arrive with their issues."""
