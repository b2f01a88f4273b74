"""sheetcrm: a CRM for small sales teams that live in a spreadsheet."""

__version__ = "0.1.0"
