"""Walking tours: ordered routes across the monuments of one site."""
