"""Service requests and visits: lifecycle, seats, check-in/out, confirmation, settlement."""
