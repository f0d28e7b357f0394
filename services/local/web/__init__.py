"""The local tier's pages: the secretary's desk, the projector, the participant's phone."""
