"""Community Matters Desktop: offline hyper-local problem solving for neighbourhood policing."""

__version__ = "0.2.0"
APP_NAME = "commmatters-desktop"
APP_TITLE = "Community Matters Desktop"
