"""A stand-in for api.krea.ai."""
