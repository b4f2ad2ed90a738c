"""Errors a user can cause. Only the CLI turns them into messages and exit codes."""


class BrieferError(Exception):
    """Base class: the message is one sentence a user can act on."""

    exit_code = 1


class UsageError(BrieferError):
    exit_code = 2


class NoArticlesError(BrieferError):
    """No readable article among the inputs."""

    exit_code = 2


class ModelError(BrieferError):
    """A summariser or embedder model could not be found or loaded."""

    exit_code = 1


class UnknownBackendError(BrieferError):
    exit_code = 2


class StateError(BrieferError):
    """The ``--state`` file cannot be opened, read or updated."""

    exit_code = 1
