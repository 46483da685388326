"""Running the pieces on one machine: a private Redis, workers and Flower on loopback."""
