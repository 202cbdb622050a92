"""What operators see of a running shop: log lines and Prometheus metrics."""
