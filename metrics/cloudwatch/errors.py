"""Errors of the metrics endpoints that are not AWS errors."""


class ResourceError(Exception):
    """The resource to chart is unknown or ambiguous; `status` is the HTTP status of the response.

    503 means the service needs configuration, 400 that the `?resource=` value is invalid.
    """

    def __init__(self, message: str, *, code: str, status: int = 503) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
