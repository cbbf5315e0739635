"""Joint meetings and consultations; their models arrive with their issue."""
