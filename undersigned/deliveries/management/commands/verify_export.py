"""bin/manage verify_export MANIFEST FILE... [--key PUBLIC_KEY.pem]

Say whether each file is genuine (listed in a manifest signed by this instance's export key, or
by the key given) and unaltered. Exit 0 when every file is; 1 when one is not or the manifest
fails; 2 for a file that cannot be read."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management.base import BaseCommand, CommandError

from undersigned.deliveries.manifest import ManifestProblem, verify

MANIFEST_MAX_BYTES = 1 << 20


class Command(BaseCommand):
    help = "Check exported files against their signed manifest."

    def add_arguments(self, parser):
        parser.add_argument("manifest")
        parser.add_argument("files", nargs="+")
        parser.add_argument("--key", help="the exporting instance's public key (PEM)")

    def handle(self, *args, **options):
        key = None
        if options["key"]:
            try:
                key = serialization.load_pem_public_key(Path(options["key"]).read_bytes())
            except (OSError, ValueError):
                raise CommandError(f"{options['key']}: not a public key", returncode=2) from None
            if not isinstance(key, Ed25519PublicKey):
                raise CommandError(f"{options['key']}: not an Ed25519 key", returncode=2)
        manifest_path = Path(options["manifest"])
        try:
            with manifest_path.open("rb") as handle:
                manifest = handle.read(MANIFEST_MAX_BYTES + 1)
        except OSError as error:
            raise CommandError(
                f"{manifest_path}: cannot be read ({error.strerror})", returncode=2
            ) from None
        files = {}
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: cannot be read", returncode=2)
            files[name] = path
        try:
            checks = verify(manifest, files, key=key)
        except ManifestProblem as problem:
            raise CommandError(f"{manifest_path}: {problem}", returncode=1) from None
        for check in checks:
            self.stdout.write(f"{'OK' if check.ok else 'FAILED'}  {check.name}: {check.message}")
        if not all(check.ok for check in checks):
            raise CommandError("not every file is genuine and unaltered", returncode=1)
