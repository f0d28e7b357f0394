"""Wire messages: the versioned envelope, every body Struct, and the subject names."""
