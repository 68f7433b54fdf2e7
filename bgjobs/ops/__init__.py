"""Operations: the admins' workers and queues page, Prometheus metrics, health checks."""
