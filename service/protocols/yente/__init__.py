"""yente-compatible matching: ``/match/{dataset}``, ``/algorithms``, ``/catalog``, ``/entities/{id}``."""
