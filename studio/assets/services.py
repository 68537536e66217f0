"""Writes of the asset library: upload, describe, delete, import from Krea.

Pages, the API and tasks call these. Refusals are ``AssetError`` subclasses whose
text names the file and is shown to the member as is; ``TeamHasNoToken`` and
``PermissionDenied`` come through unchanged.
"""

from __future__ import annotations

import logging
import os
from pathlib import PurePath
from typing import IO

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction

from krea_integration import errors as krea_errors
from krea_integration.client import MAX_ASSET_BYTES
from studio.audit.models import AuditEntry
from studio.audit.services import audit_record
from studio.downloads import krea_downloader
from studio.teams.models import Membership
from studio.teams.tokens import team_krea_client

from . import media
from .events import asset_created
from .models import Asset, kind_of_mime_type
from .selectors import asset_change_allowed, param_strings
from .tasks import enqueue_store_asset_file

logger = logging.getLogger(__name__)

LIMIT_MB = MAX_ASSET_BYTES // (1024 * 1024)


class AssetError(Exception):
    """An upload or change refused; ``str(error)`` names the file and is shown as is."""


class AssetRefused(AssetError):
    """Not a kind of file Krea accepts."""


class AssetTooLarge(AssetError):
    """Over Krea's 75 MB limit; nothing was sent."""


class AssetUploadFailed(AssetError):
    """Krea failed or refused the upload; nothing was recorded."""


class AssetKreaError(AssetError):
    """Krea could not delete or list assets just now."""


def too_large_message(name: str, size: int | None = None) -> str:
    shown = f" ({size / 1024 / 1024:.1f} MB)" if size else ""
    return f"{name}{shown} is larger than {LIMIT_MB} MB, the most Krea accepts for one asset."


def _display_name(file_name: str) -> str:
    # Browsers send a bare name; other clients may send a path.
    name = PurePath(file_name.replace("\\", "/")).name.strip()
    return (name or "upload")[:255]


def _size(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    position = file.tell()
    size = file.seek(0, os.SEEK_END)
    file.seek(position)
    return size


def _upload_failure(name: str, exc: krea_errors.KreaError) -> str:
    if isinstance(exc, krea_errors.BadRequest):
        return f"Krea refused {name}: {exc.message}"
    if isinstance(exc, krea_errors.Unauthorized):
        return (
            f"{name} was not uploaded: Krea did not accept the team's token. "
            "An owner or admin can replace it on the team page."
        )
    if isinstance(exc, krea_errors.KreaTimeout):
        what = "did not answer in time"
    elif isinstance(exc, krea_errors.KreaConnectionError):
        what = "could not be reached"
    elif isinstance(exc, krea_errors.ServerError):
        what = f"had a problem (HTTP {exc.status_code})"
    else:
        what = f"answered: {exc.message}"
    message = f"{name} was not uploaded: Krea {what}. Nothing was saved; try again."
    if exc.outcome_unknown:
        message += " If Krea kept it after all, “Import from Krea” brings it in."
    return message


def asset_upload(
    *, membership: Membership, file: IO[bytes], file_name: str, description: str = ""
) -> Asset:
    """Send one file to the team's Krea account and record it, with a thumbnail.

    The file's type is read from its content and its size checked before anything
    is sent; the file streams to Krea from where it is (memory for small files,
    a temporary file on disk for the rest). Nothing is recorded unless Krea
    accepted it.

    Raises AssetTooLarge, AssetRefused, AssetUploadFailed, TeamHasNoToken.
    """
    name = _display_name(file_name)
    size = _size(file)
    if size > MAX_ASSET_BYTES:
        raise AssetTooLarge(too_large_message(name, size))
    try:
        file_type = media.identify(file)
    except media.UnsupportedFile as exc:
        raise AssetRefused(
            f"{name} is {exc.what}, not a file Krea accepts ({media.ACCEPTED_NAMES})."
        ) from None
    description = description.strip()
    with team_krea_client(team=membership.team) as client:
        try:
            uploaded = client.upload_asset(
                file,
                filename=PurePath(name).stem + file_type.extension,
                description=description or None,
                content_type=file_type.mime_type,
            )
        except krea_errors.KreaError as exc:
            logger.warning(
                "Asset upload of %s for team %s failed: %s", name, membership.team_id, exc
            )
            raise AssetUploadFailed(_upload_failure(name, exc)) from exc
        facts = media.safe_media_facts(file, file_type.kind)
        asset = Asset(
            team=membership.team,
            uploaded_by=membership.user,
            krea_id=uploaded.id,
            krea_url=uploaded.image_url,
            kind=file_type.kind,
            mime_type=file_type.mime_type,
            size=size,
            width=facts.width,
            height=facts.height,
            duration=facts.duration,
            description=description,
            file_name=name,
        )
        _store_files(asset, file, file_type.extension, facts.thumbnail)
        try:
            asset.save()
        except Exception:
            # Not recorded here, so it must not linger at Krea either.
            _delete_files(asset)
            try:
                client.delete_asset(uploaded.id)
            except krea_errors.KreaError:
                logger.exception("Asset %s left at Krea after a failed save", uploaded.id)
            raise
    asset_pk = asset.pk
    transaction.on_commit(lambda: asset_created.send_robust(sender=Asset, asset_id=asset_pk))
    return asset


def _store_files(asset: Asset, file: IO[bytes], extension: str, thumbnail: bytes | None) -> None:
    file.seek(0)
    content = file if isinstance(file, File) else File(file)
    asset.file.save(f"{asset.uuid}{extension}", content, save=False)
    if thumbnail:
        asset.thumbnail.save(f"{asset.uuid}-thumb.jpg", ContentFile(thumbnail), save=False)


def _delete_files(asset: Asset) -> None:
    for stored in (asset.file, asset.thumbnail):
        if stored:
            stored.delete(save=False)


def asset_describe(*, membership: Membership, asset: Asset, description: str) -> Asset:
    """Change an asset's description (the portal's own: Krea keeps the one it was sent)."""
    if not asset_change_allowed(asset=asset, membership=membership):
        raise PermissionDenied("Only the member who uploaded this asset, or an admin, may edit it.")
    asset.description = description.strip()
    asset.save(update_fields=["description"])
    return asset


def asset_delete(*, membership: Membership, asset: Asset) -> None:
    """Delete an asset at Krea and here, with its files; recorded in the audit log.

    Jobs that used it keep their parameters (Krea has copied what they needed).
    """
    if not asset_change_allowed(asset=asset, membership=membership):
        raise PermissionDenied(
            "Only the member who uploaded this asset, or the team's owners and admins, "
            "may delete it."
        )
    with team_krea_client(team=membership.team) as client:
        try:
            client.delete_asset(asset.krea_id)
        except krea_errors.NotFound:
            pass  # already gone at Krea
        except krea_errors.KreaError as exc:
            raise AssetKreaError(
                f"Krea could not delete {asset.label} just now ({exc.message}); "
                "nothing was deleted. Try again in a moment."
            ) from exc
    label, krea_id, uuid = asset.label, asset.krea_id, str(asset.uuid)
    with transaction.atomic():
        asset.delete()
        audit_record(
            team=membership.team,
            action=AuditEntry.Action.ASSET_DELETED,
            actor=membership.user,
            summary=f"{membership.user.display_name} deleted the asset {label}.",
            details={"asset": uuid, "krea_asset_id": krea_id, "file_name": label},
        )
    _delete_files(asset)


def assets_import(*, membership: Membership) -> int:
    """Record the assets the team's token has at Krea that the portal does not know yet.

    Reads every page of ``GET /assets``. Krea gives no file name, duration or
    uploader, so imported assets carry what it gives and are marked imported; their
    files and thumbnails are copied in the background. Returns how many were added.
    """
    team = membership.team
    known = set(Asset.objects.filter(team=team).values_list("krea_id", flat=True))
    found = []
    with team_krea_client(team=team) as client:
        try:
            for item in client.iter_assets(limit=100):
                if item.id in known:
                    continue
                known.add(item.id)
                found.append(item)
        except krea_errors.KreaError as exc:
            raise AssetKreaError(
                f"Krea could not list the team's assets just now ({exc.message}). Try again."
            ) from exc
    added = []
    for item in found:
        mime_type = item.mime_type or "application/octet-stream"
        asset = Asset(
            team=team,
            krea_id=item.id,
            krea_url=item.image_url,
            kind=kind_of_mime_type(mime_type),
            mime_type=mime_type,
            size=int(item.size_bytes or 0),
            width=int(item.width) if item.width else None,
            height=int(item.height) if item.height else None,
            description=item.description or "",
            imported=True,
            created_at=item.uploaded_at,
        )
        try:
            with transaction.atomic():
                asset.save()
        except IntegrityError:  # imported by someone else at the same moment
            continue
        added.append(asset.pk)
    for asset_id in added:
        transaction.on_commit(lambda asset_id=asset_id: enqueue_store_asset_file(asset_id))
    return len(added)


def asset_store_file(*, asset_id: int) -> bool:
    """Copy an imported asset's file from Krea, with its facts and thumbnail. Idempotent.

    Returns whether a file was stored. A file Krea no longer serves is logged and
    the asset keeps an icon.
    """
    asset = Asset.objects.select_related("team").filter(pk=asset_id).first()
    if asset is None or asset.file:
        return False
    try:
        with krea_downloader() as downloader:
            downloaded = downloader.download(
                asset.krea_url, max_bytes=MAX_ASSET_BYTES, content_types=None
            )
    except krea_errors.KreaError as exc:
        logger.warning("Asset %s file not copied from Krea: %s", asset.uuid, exc)
        return False
    with downloaded.content as spool:
        file_type = _file_type_or_none(spool)
        extension = file_type.extension if file_type else ""
        facts = media.safe_media_facts(spool, asset.kind)
        asset.width = asset.width or facts.width
        asset.height = asset.height or facts.height
        asset.duration = facts.duration
        _store_files(asset, spool, extension, facts.thumbnail)
        asset.save(update_fields=["width", "height", "duration", "file", "thumbnail"])
    return True


def _file_type_or_none(file: IO[bytes]) -> media.FileType | None:
    try:
        return media.identify(file)
    except media.UnsupportedFile:
        return None


def asset_uses_record(*, job) -> None:
    """Record which of the team's assets a job takes (its params name their Krea URLs)."""
    # Only a URL can name an asset: a job of prompts and numbers costs no query.
    urls = [value for value in param_strings(job.params) if "://" in value]
    if not urls:
        return
    for asset in Asset.objects.filter(team_id=job.team_id, krea_url__in=urls):
        asset.jobs.add(job)
