"""Example user code: the seed documentation examples (each runs with only the import line changed
from Dagster's) and the demo pipeline."""
