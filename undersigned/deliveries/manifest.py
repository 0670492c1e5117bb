"""Signed manifests of exports: what was exported (the statement, the version of each text, the
counts, when) and the SHA-256 of each file, signed with this instance's Ed25519 key.

The key pair is made on first use in the data directory (`keys/export-ed25519.pem`, readable
by the platform's user only); its public half is published at /keys/export-ed25519.pub and on
every statement page. `verify` says, for each file, whether it is genuine and unaltered."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils.translation import gettext as _

FORMAT = "undersigned-export-manifest/1"


def key_path() -> Path:
    return Path(settings.DATA_DIR) / "keys" / "export-ed25519.pem"


def private_key() -> Ed25519PrivateKey:
    """This instance's signing key, made on first use (once, even with processes racing)."""
    path = key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: use theirs
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def public_pem(key: Ed25519PublicKey | None = None) -> bytes:
    key = key or private_key().public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, in hex: names the key in a manifest."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _canonical(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(body: dict) -> dict:
    """The manifest: `body` with the key's fingerprint and the signature over both."""
    key = private_key()
    body = {**body, "format": FORMAT, "key": fingerprint(key.public_key())}
    return {**body, "signature": base64.b64encode(key.sign(_canonical(body))).decode()}


class ManifestProblem(Exception):
    """The manifest cannot be trusted (the message says why, for people)."""


@dataclass(frozen=True)
class FileCheck:
    name: str
    ok: bool
    message: str


def verify(manifest_bytes: bytes, files: dict[str, bytes | Path], *,
           key: Ed25519PublicKey | None = None) -> list[FileCheck]:  # fmt: skip
    """Check the manifest's signature (ManifestProblem if it fails), then each file against it.
    `files` maps a file's name to its content or its path."""
    try:
        manifest = json.loads(manifest_bytes)
        signature = base64.b64decode(manifest.pop("signature"), validate=True)
        listed = {f["name"]: f for f in manifest["files"]}
        by_digest = {f["sha256"]: f["name"] for f in manifest["files"]}
        claimed_key = manifest["key"]
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        # RecursionError: JSON nested thousands deep, which no manifest is.
        raise ManifestProblem(_("This is not an export manifest, or it is damaged.")) from None
    if manifest.get("format") != FORMAT:
        raise ManifestProblem(_("This manifest is of an unknown format."))
    key = key or private_key().public_key()
    if claimed_key != fingerprint(key):
        raise ManifestProblem(
            _("This manifest was signed by another key, not by this instance's export key.")
        )
    try:
        key.verify(signature, _canonical(manifest))
    except InvalidSignature:
        raise ManifestProblem(
            _("The manifest's signature does not match its content: it was altered after signing.")
        ) from None
    checks = []
    for name, content in files.items():
        if isinstance(content, Path):
            digest = file_digest(content)
        else:
            digest = hashlib.sha256(content).hexdigest()
        # A file is known by its content: renamed after download, it is still the same file.
        if digest in by_digest:
            checks.append(
                FileCheck(
                    name,
                    True,
                    _("genuine and unaltered (%(name)s in the manifest)")
                    % {"name": by_digest[digest]},
                )
            )
        elif Path(name).name in listed:
            checks.append(
                FileCheck(name, False, _("altered: its SHA-256 differs from the manifest's"))
            )
        else:
            checks.append(FileCheck(name, False, _("not listed in the manifest")))
    return checks
