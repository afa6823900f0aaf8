"""Charities, goods donations with stock, goods requests and allocations, charity hour pools, transparency."""
