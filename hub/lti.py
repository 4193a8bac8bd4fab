"""Students arriving from the course's LMS (Moodle…) by LTI 1.3: the launch itself (OpenID Connect login
initiation, the platform's signed id_token checked against its key set, nonce and state) is
jupyterhub-ltiauthenticator's (hub/lti_login.py extends it); here, what the class adds to it, which the
teacher's commands use too:

- the roster still decides: a launch enters only as a person of the roster, found by one claim of the
  id_token (the e-mail, the LMS login, `sub` or a custom parameter), and is a teacher (the hub's admin)
  only when the roster says so, whatever its LTI roles;
- each launch's LMS identity and grade service (LTI Advantage AGS: where the course's line items are)
  are kept per person, for `send-grades` (hub/lms_grades.py);
- the tool's own key pair, made once, whose public half the LMS needs for the grade service.

The class's LTI settings are in <dossier>/hub/lti.json (written by `npm run hub -- lti`); with them,
`serve` starts the hub with this authenticator instead of the roster's passwords.
"""
from __future__ import annotations

import pathlib
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pylti1p3.registration import Registration

from .json_files import changing_json, read_json, write_atomically
from .roster import Person, Roster

AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
CUSTOM_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/custom"
#: Moodle's own claim, which carries the user's login (user_username).
EXTENSION_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/ext"
CONTEXT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/context"
DEPLOYMENT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
#: The tool's login initiation URL and redirection URL, under the hub's base URL (the LMS's form asks for both).
OIDC_LOGIN = "lti13/oauth_login"
REDIRECTION = "lti13/oauth_callback"
#: The claims a roster can be matched on: the name given to --claim → what it reads, in French.
CLAIMS = {
    "email": "l'adresse e-mail (claim email), comparée à la colonne email de la liste",
    "login": "l'identifiant du LMS (Moodle : ext.user_username ; sinon preferred_username), comparé à la colonne identifiant",
    "sub": "l'identifiant opaque du LMS (claim sub), comparé à la colonne identifiant",
    "custom:NOM": "le paramètre personnalisé NOM de l'activité, comparé à la colonne identifiant",
}


def login_initiation_url(tool_url: str) -> str:
    """Where the LMS starts a launch (OIDC third-party login initiation), for the hub at `tool_url`."""
    return tool_url.rstrip("/") + f"/hub/{OIDC_LOGIN}"


def redirection_url(tool_url: str) -> str:
    """Where the LMS posts the launch's id_token (the tool's URL and redirection URI in Moodle's form)."""
    return tool_url.rstrip("/") + f"/hub/{REDIRECTION}"


@dataclass(frozen=True)
class LtiSettings:
    """The platform the class is registered with (its issuer, the client id it gave the tool, the
    deployment) and its endpoints; which claim names a person of the roster."""
    issuer: str
    client_id: str
    deployment_id: str
    #: The platform's OIDC authentication endpoint (Moodle: …/mod/lti/auth.php).
    authorize_url: str
    #: Its OAuth 2 token endpoint, for the grade service (Moodle: …/mod/lti/token.php).
    token_url: str
    #: Its public key set (Moodle: …/mod/lti/certs.php).
    jwks_url: str
    #: The hub's public address as the LMS and the students' browsers reach it.
    tool_url: str
    claim: str = "email"

    @staticmethod
    def read(path: pathlib.Path) -> LtiSettings | None:
        data = read_json(path)
        return LtiSettings(**data) if data else None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def claim_problem(claim: str) -> str:
    """Why `claim` cannot name a person ("" when it can)."""
    if claim in ("email", "login", "sub") or (claim.startswith("custom:") and len(claim) > len("custom:")):
        return ""
    return f"--claim {claim} : inconnu ; possibles : " + " ; ".join(f"{name} ({what})" for name, what in CLAIMS.items())


def claimed(token: dict[str, Any], claim: str) -> str:
    """The value of `claim` in a launch's id_token ("" where the LMS did not send it)."""
    if claim == "login":
        value = token.get(EXTENSION_CLAIM, {}).get("user_username") or token.get("preferred_username")
    elif claim.startswith("custom:"):
        value = token.get(CUSTOM_CLAIM, {}).get(claim[len("custom:"):])
    else:
        value = token.get(claim)
    return str(value or "").strip()


def person_of(roster: Roster, token: dict[str, Any], claim: str) -> Person | None:
    value = claimed(token, claim)
    if not value:
        return None
    if claim == "email":
        return next((p for p in roster.people if p.email.lower() == value.lower()), None)
    return roster.find(value.lower())


@dataclass(frozen=True)
class ToolKey:
    """The tool's RSA key pair: the private half signs its requests to the grade service, the public
    half is given to the LMS (as a PEM or a key set)."""
    private_pem: str
    public_pem: str

    def jwks(self) -> dict[str, Any]:
        """The public key as a key set, its kid the key's thumbprint (as pylti1p3 signs with it)."""
        return {"keys": [dict(Registration.get_jwk(self.public_pem))]}


def tool_key(path: pathlib.Path) -> ToolKey:
    """The tool's key pair kept at `path` (root only), made there the first time."""
    if not path.exists():
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        write_atomically(path, pem)
    private_pem = path.read_text(encoding="ascii")
    public = serialization.load_pem_private_key(private_pem.encode(), password=None).public_key()
    public_pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return ToolKey(private_pem, public_pem.decode("ascii"))


@dataclass(frozen=True)
class Launch:
    """What the class keeps of a person's last launch: their LMS identity and the course's grade service."""
    sub: str
    issuer: str
    deployment_id: str
    course: str
    #: The AGS claim: the course's line items URL (lineitems), the launch's own line item, the scopes.
    ags: dict[str, Any]
    when: str


def record_launch(path: pathlib.Path, identifier: str, token: dict[str, Any]) -> None:
    launch = Launch(sub=str(token.get("sub", "")), issuer=str(token.get("iss", "")),
                    deployment_id=str(token.get(DEPLOYMENT_CLAIM, "")),
                    course=str(token.get(CONTEXT_CLAIM, {}).get("title") or token.get(CONTEXT_CLAIM, {}).get("id") or ""),
                    ags=dict(token.get(AGS_CLAIM) or {}), when=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    with changing_json(path) as launches:
        launches[identifier] = asdict(launch)


def read_launches(path: pathlib.Path) -> dict[str, Launch]:
    return {identifier: Launch(**launch) for identifier, launch in read_json(path).items()}
