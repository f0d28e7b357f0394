"""The three tier services; each is a thin composition of `shared`."""
