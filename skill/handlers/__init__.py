"""One handler per intent or event; ``skill.builder`` registers them in order."""
