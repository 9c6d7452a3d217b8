"""Running models: the engines (the local one in this process, Spark) behind one interface, tuning, stops.

Importing this package imports no engine: pyspark is imported only when the Spark engine runs.
"""
