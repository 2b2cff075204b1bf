"""Running the server: settings in, a configured process out.

``config`` reads the ``LIVESTAGE_*`` settings; ``app`` builds the Flask app and ``services``
holds what its views share; ``server`` runs it with the on-air rooms and the demo; ``health``
and ``metrics`` tell an operator how it is doing. ``config`` and ``metrics`` are leaves every
other package may import.
"""
