"""Reads for the catalogue (service list) page: its choice lists and its filtered, sorted page of services."""
