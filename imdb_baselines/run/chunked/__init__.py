"""The chunked engine (``--engine chunked``): the hashed baselines fitted from tables read a chunk at a time."""

from imdb_baselines.run.chunked.engine import HASH_BITS, ChunkedEngine

__all__ = ["HASH_BITS", "ChunkedEngine"]
