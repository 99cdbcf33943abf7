"""alignkit: survey and CRM exports into the evidence sales and marketing need to work as one team."""

__version__ = "0.4.0"  # 0.x while the project file may still change; what each release changed: CHANGELOG.md
