"""Whoosh, the engine inside kb: the index in a folder, no server."""
