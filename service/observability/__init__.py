"""Operations: Prometheus metrics (``metrics``), structured JSON logs (``logs``), and the
request log middleware that feeds both (``middleware``)."""
