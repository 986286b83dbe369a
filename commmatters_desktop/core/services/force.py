"""The force's name and logo, printed on every leaflet: data about the vault, so kept in it."""

from __future__ import annotations

import base64

from sqlalchemy.orm import Session

from commmatters_desktop.core.errors import ValidationError
from commmatters_desktop.core.models import VaultMeta

NAME_KEY, LOGO_KEY = "force_name", "force_logo"
DEFAULT_NAME = "Your Neighbourhood Policing Team"
_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
MAX_LOGO_BYTES = 2 * 1024 * 1024


def force_name(session: Session) -> str:
    row = session.get(VaultMeta, NAME_KEY)
    return row.value if row else DEFAULT_NAME


def force_logo(session: Session) -> bytes | None:
    row = session.get(VaultMeta, LOGO_KEY)
    return base64.b64decode(row.value) if row else None


def set_force(session: Session, *, name: str | None = None, logo: bytes | None = None) -> None:
    if name is not None:
        if not name.strip():
            raise ValidationError("Give the force's name as it should appear on leaflets.")
        session.merge(VaultMeta(key=NAME_KEY, value=name.strip()))
    if logo is not None:
        if not logo.startswith(_IMAGE_SIGNATURES):
            raise ValidationError("The logo must be a PNG or JPEG image.")
        if len(logo) > MAX_LOGO_BYTES:
            raise ValidationError("The logo is larger than 2 MB: use a smaller image.")
        session.merge(VaultMeta(key=LOGO_KEY, value=base64.b64encode(logo).decode()))
