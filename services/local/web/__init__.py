"""The local tier's pages: the secretary's desk, the door, the participant's phone and the
citizens' follow-up."""
