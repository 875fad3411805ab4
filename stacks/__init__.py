"""Stacks that compose the federation constructs from a validated config."""
