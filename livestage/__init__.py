"""Live Stage."""
