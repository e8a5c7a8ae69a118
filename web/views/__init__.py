"""One blueprint per page family; each view parses its request, asks kb, renders."""
