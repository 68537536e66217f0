"""Everything that knows Krea's wire format. Imports nothing from ``studio``."""
