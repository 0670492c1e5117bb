"""undersigned: joint statements, open letters and petitions with a trustworthy signatory list."""
