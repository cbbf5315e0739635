"""The benchmark (`make bench`): datasets generated in their own PostgreSQL database, then timed."""
