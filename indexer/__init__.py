"""Files in, passages and metadata out, the index kept current."""
