"""The local tier's pages: the secretary's desk and the participant's phone."""
