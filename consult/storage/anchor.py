"""What the database cannot vouch for itself: the audit key and the head anchors.

The audit trail's hash chain (consult.storage.audit) proves that no event was changed
relative to its neighbours, but anyone who can write to the database can recompute
the whole chain, or delete the newest events, or empty the table. Two things kept
outside the database close that gap; both live in the workstation's data folder,
which someone holding only the database (a copied file, a PostgreSQL login) cannot
read or write:

- The **audit key**: 32 random bytes. Every event carries `mac`, an HMAC of its chain
  hash under this key, so a rewritten event cannot be given a valid seal. The key
  is created by the first set-up of a clinic (the first event ever written) and
  announced in the trail by an `audit.key_created` event naming its id (a digest,
  never the key). It is stored as `audit-keys/<id>.key`, mode 0600.
- The **head anchor**: the last event (id and hash) this workstation wrote or checked,
  per database, in `audit-anchors/`. `consult audit verify` then knows the trail
  reached at least that far; a shortened or emptied trail is found.

Several workstations on one PostgreSQL database share one key: the first set-up
creates it; the manager copies `audit-keys/<id>.key` to every other seat (or runs
`consult audit import-key FILE` there with that file or a backup's `.audit-key`
file). A seat without the key still records events, without seals, and `verify`
there says that the key is missing rather than calling the trail intact. Every
backup carries the key and the backup's own head in `<backup>.audit-key` (0600).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy.engine import URL

from consult.app.paths import data_dir
from consult.errors import ConsultError
from consult.protection import atomic
from consult.storage import anchor_file

log = logging.getLogger(__name__)

KEY_FOLDER = "audit-keys"
ANCHOR_FOLDER = "audit-anchors"
KEY_BYTES = 32
# What makes a key's id differ from a plain digest of it (the id is public).
_ID_CONTEXT = b"consult audit key id\x00"
BACKUP_SUFFIX = ".audit-key"


@dataclass(frozen=True)
class AuditKey:
    id: str
    secret: bytes = b""

    def seal(self, chain_hash: str) -> str:
        """The event's seal: an HMAC of its chain hash (which covers every event before it)."""
        return hmac.new(self.secret, chain_hash.encode("ascii"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Head:
    """An event the trail must still hold: its position and chain hash."""

    id: int
    hash: str


def key_id(secret: bytes) -> str:
    return hashlib.sha256(_ID_CONTEXT + secret).hexdigest()[:16]


def key_folder() -> Path:
    return data_dir() / KEY_FOLDER


def key_path(identifier: str) -> Path:
    return key_folder() / f"{identifier}.key"


def create_key() -> AuditKey:
    """A new key, stored in this workstation's data folder (0600) before it is used."""
    secret = secrets.token_bytes(KEY_BYTES)
    key = AuditKey(key_id(secret), secret)
    _write_private(key_path(key.id), secret.hex() + "\n")
    return key


def load_key(identifier: str) -> AuditKey | None:
    """The key with this id from the data folder, or None if this seat does not have it."""
    return _load_key(key_path(identifier))


@lru_cache(maxsize=8)
def _cached_key(path: Path, text: str) -> AuditKey | None:
    try:
        secret = bytes.fromhex(text.strip())
    except ValueError:
        return None
    return AuditKey(key_id(secret), secret) if len(secret) == KEY_BYTES else None


def _load_key(path: Path) -> AuditKey | None:
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConsultError(f"{path}: the audit key cannot be read ({exc})") from None
    key = _cached_key(path, text)
    if key is None or key.id != path.stem:
        raise ConsultError(f"{path}: the audit key file is damaged")
    return key


def install_key(secret: bytes) -> AuditKey:
    """Keep a key copied from another seat or a backup; returns it (idempotent)."""
    if len(secret) != KEY_BYTES:
        raise ConsultError("an audit key is 32 bytes written as 64 hexadecimal digits")
    key = AuditKey(key_id(secret), secret)
    if load_key(key.id) is None:
        _write_private(key_path(key.id), secret.hex() + "\n")
    return key


def import_key_file(path: Path) -> AuditKey:
    """Install the key in `path`: a copied `<id>.key` file or a backup's `.audit-key` file."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise ConsultError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConsultError(f"{path}: cannot be read ({exc})") from None
    if text.startswith("{"):
        carried = BackupManifest.parse(text, path).key
        if carried is None:
            raise ConsultError(f"{path}: this backup was made without the audit key")
        return install_key(carried.secret)
    try:
        return install_key(bytes.fromhex(text))
    except ValueError:
        raise ConsultError(f"{path}: is not an audit key file") from None


def missing_key_message(identifier: str) -> str:
    return (
        f"this workstation does not have the clinic's audit key (id {identifier}), so the "
        "events' seals cannot be checked: copy "
        f"{KEY_FOLDER}/{identifier}.key from the workstation that set up the clinic into "
        f"{key_folder()}, or run `consult audit import-key FILE` with that file or a "
        f"backup's {BACKUP_SUFFIX} file"
    )


# --------------------------------------------------------------------------- anchors


# database_identity by the URL object itself: every audit event asks twice, and a URL
# is hashed by rendering it as text, which costs more than the lookup saves.
_identities: dict[int, tuple[URL, str]] = {}


def database_identity(url: URL) -> str:
    """Which database an anchor belongs to: the file, or server, database and schema.

    The user name is left out: the owner and the workstation role see one database.
    """
    known = _identities.get(id(url))
    if known is not None and known[0] is url:
        return known[1]
    identity = _identity_of(url)
    if len(_identities) >= 64:  # a process opening many databases (the tests)
        _identities.clear()
    _identities[id(url)] = (url, identity)  # the URL is kept, so its id is not reused
    return identity


@lru_cache(maxsize=32)
def _identity_of(url: URL) -> str:
    """Kept per URL for the life of the process: resolving a file's path is a walk
    through its folders."""
    if url.get_backend_name() == "sqlite":
        return "sqlite:" + str(Path(str(url.database)).expanduser().resolve())
    options = url.query.get("options", "")
    option = options if isinstance(options, str) else " ".join(options)
    schema = "public"
    for part in option.split():
        if part.startswith("-csearch_path="):
            schema = part.removeprefix("-csearch_path=")
    return f"postgresql://{url.host or 'localhost'}:{url.port or 5432}/{url.database}#{schema}"


def _anchor_path(identity: str) -> Path:
    return data_dir().joinpath(ANCHOR_FOLDER, _anchor_name(identity))


@lru_cache(maxsize=32)
def _anchor_name(identity: str) -> str:
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:24] + ".json"


@dataclass(frozen=True)
class Anchor:
    """What this workstation last knew of a database's trail."""

    head: Head
    key_id: str | None  # the trail's audit key then (None: a trail not yet sealed)


def read_anchor(url: URL) -> Anchor | None:
    """The newest event this workstation knows the database at `url` held.

    Read from the file every time (a few microseconds): another Consult process of
    this seat may have moved it since.
    """
    path = _anchor_path(database_identity(url))
    try:
        document = anchor_file.read_newest(path)
        key = document.get("key_id")
        return Anchor(Head(int(document["id"]), str(document["hash"])), key and str(key))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConsultError(f"{path}: the audit anchor is damaged ({exc})") from None


def remember_head(url: URL, head: Head, key_id: str | None) -> None:
    """Record that the database at `url` held `head` (after a commit or a check).

    Written in place over the older of the file's two records (consult.storage.
    anchor_file), so a reader never sees half a record. Two processes of one seat
    racing may leave the older of their two heads: an anchor only ever understates
    what the trail held, never overstates it.
    """
    identity = database_identity(url)
    fields = {"database": identity, "id": head.id, "hash": head.hash, "key_id": key_id}
    try:
        anchor_file.write(_anchor_path(identity), fields)
    except (OSError, ConsultError) as exc:  # ConsultError: a device or pipe in its place
        log.warning("audit anchor not written for %s: %s", identity, exc)


def forget_anchor(url: URL) -> None:
    _anchor_path(database_identity(url)).unlink(missing_ok=True)


# --------------------------------------------------------------------------- backups


@dataclass(frozen=True)
class BackupManifest:
    """What a backup carries beside the database copy: the key and the copy's own head."""

    key: AuditKey | None  # None: the backup was made at a seat without the key
    head: Head | None
    made_at: str
    database: str

    def dumps(self) -> str:
        document = {
            "format": "consult-audit-key/1",
            "key_id": self.key.id if self.key else None,
            "key": self.key.secret.hex() if self.key else None,
            "head": None if self.head is None else {"id": self.head.id, "hash": self.head.hash},
            "made_at": self.made_at,
            "database": self.database,
        }
        return json.dumps(document, indent=2) + "\n"

    @classmethod
    def parse(cls, text: str, path: Path) -> BackupManifest:
        try:
            document = json.loads(text)
            secret = bytes.fromhex(document["key"]) if document["key"] else None
            head = document["head"]
            manifest = cls(
                AuditKey(key_id(secret), secret) if secret else None,
                None if head is None else Head(int(head["id"]), str(head["hash"])),
                str(document["made_at"]),
                str(document["database"]),
            )
        except (ValueError, KeyError, TypeError):
            raise ConsultError(f"{path}: is not a Consult backup's audit key file") from None
        if manifest.key is not None and manifest.key.id != document.get("key_id"):
            raise ConsultError(f"{path}: the audit key in it is damaged")
        return manifest


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + BACKUP_SUFFIX)


def write_manifest(backup: Path, manifest: BackupManifest) -> Path:
    path = manifest_path(backup)
    _write_private(path, manifest.dumps())
    return path


def read_manifest(backup: Path) -> BackupManifest | None:
    path = manifest_path(backup)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConsultError(f"{path}: cannot be read ({exc})") from None
    return BackupManifest.parse(text, path)


# --------------------------------------------------------------------------- files


def _write_private(path: Path, text: str) -> None:
    """Write `path` readable by this user only, atomically and durably (a lost key would
    leave the trail uncheckable), in a folder of this user's own."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    atomic.write_text(path, text)
