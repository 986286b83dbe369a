"""Community Matters Desktop: offline hyper-local problem solving for neighbourhood policing."""

__version__ = "0.1.0"
APP_NAME = "commmatters-desktop"
APP_TITLE = "Community Matters Desktop"
