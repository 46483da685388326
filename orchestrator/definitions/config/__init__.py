"""Config schemas and run config validation."""
