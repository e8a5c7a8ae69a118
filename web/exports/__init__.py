"""Documents kb writes for users to take away."""
