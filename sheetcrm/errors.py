"""One base exception; the CLI turns any of these into a one-line message."""


class SheetCrmError(Exception):
    """Base class of every error sheetcrm reports to a user."""

    exit_code = 2


class ConfigError(SheetCrmError):
    """config.yaml or the environment holds something wrong."""


class SourceError(SheetCrmError):
    """The workbook or sheet cannot be opened, read or written."""


class DataError(SheetCrmError):
    """The sheet's content cannot be used (a missing column, a missing tab)."""


class ChangedSinceRead(SourceError):
    """The source changed between reading it and writing back; nothing was written."""


class LockedError(SourceError):
    """Another program holds the workbook open."""


class UnsupportedContent(SourceError):
    """The workbook holds something the writer would lose; nothing was written."""


class DeliveryError(SheetCrmError):
    """A mail or Telegram server cannot be reached; exit code 1, as for any failed send."""

    exit_code = 1
