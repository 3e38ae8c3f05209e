"""``WalletError``: one failed step of the wallet, with the server's OAuth error when there is one."""

from __future__ import annotations


class WalletError(Exception):
    """A wallet operation failed at ``step`` (e.g. "token request").

    ``error`` / ``description`` are the server's OAuth ``error`` and ``error_description`` when
    the server refused; ``status`` is the HTTP status. The message reads
    ``"<step> refused: <error>: <description>"`` for refusals, ``"<step> failed: <detail>"`` otherwise.
    """

    def __init__(
        self,
        step: str,
        detail: str | None = None,
        *,
        error: str | None = None,
        description: str | None = None,
        status: int | None = None,
    ) -> None:
        self.step = step
        self.error = error
        self.description = description
        self.status = status
        self.detail = detail
        if error is not None:
            message = f"{step} refused: {error}" + (f": {description}" if description else "")
        else:
            message = f"{step} failed: {detail or description or 'unknown error'}"
        super().__init__(message)
