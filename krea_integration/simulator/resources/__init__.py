"""Krea's resources as the simulator plays them, one handler each over the shared state."""
