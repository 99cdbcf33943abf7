"""alignkit: survey and CRM exports into the evidence sales and marketing need to work as one team."""

__version__ = "0.1.0"
