"""Errors a user can cause. Only the CLI turns them into messages and exit codes."""


class BrieferError(Exception):
    """Base class: the message is one sentence a user can act on."""

    exit_code = 1


class UsageError(BrieferError):
    exit_code = 2


class NoArticlesError(BrieferError):
    """No readable article among the inputs; ``skipped`` lists the inputs that failed."""

    exit_code = 2

    def __init__(self, message: str, skipped: list | None = None) -> None:
        super().__init__(message)
        self.skipped = list(skipped or [])


class ModelError(BrieferError):
    """A summariser or embedder model could not be found or loaded."""

    exit_code = 1


class UnknownBackendError(BrieferError):
    exit_code = 2


class StateError(BrieferError):
    """The ``--state`` file cannot be opened, read or updated."""

    exit_code = 1


class ConfigError(BrieferError):
    """The configuration file is missing, not TOML, or holds an unknown key or a wrong type."""

    exit_code = 2


class DeliveryError(BrieferError):
    """The brief could not be e-mailed (connection, TLS, login or refusal)."""

    exit_code = 4


class EmailSetupError(DeliveryError):
    """The ``[email]`` settings cannot work: an unreadable ``ca_file``, a server that offers no
    STARTTLS (or no login), a host name that does not exist. Retrying cannot help, so it is
    not retried: exit 2, fix the configuration."""

    exit_code = 2


class LockedError(BrieferError):
    """Another ``briefer run`` holds the lock: cron fired while the last run was still going."""

    exit_code = 5
