"""Matching solver core: problem format, verifier, greedy floor, MIP solver. No Flask, no ORM."""
