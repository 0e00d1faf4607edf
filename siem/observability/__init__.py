"""Request context, structured logging and the service metrics endpoint."""
