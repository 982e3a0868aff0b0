"""The device authorization grant (RFC 8628) for SSH sessions and boxes without a browser.

We ask the provider for a device code, show the person the user code and the verification URL
(they open it on any device), and poll the token endpoint at the interval the provider asks for:
`authorization_pending` keeps polling, `slow_down` adds 5 s (§3.5), `access_denied` and
`expired_token` end the login.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

from kubewallet.errors import OidcError
from kubewallet.oidc.discovery import Discovery
from kubewallet.oidc.grants import DEVICE_GRANT, Client, TokenResponse, _auth, token_request
from kubewallet.oidc.http import HttpClient, OAuthError


@dataclass(frozen=True)
class DeviceAuthorization:
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_in: float
    interval: float


def start(http: HttpClient, disco: Discovery, client: Client, scopes: tuple[str, ...]
          ) -> tuple[DeviceAuthorization, str]:
    if not disco.device_authorization_endpoint:
        raise OidcError("the provider does not offer the device code grant "
                        "(no device_authorization_endpoint in its discovery document)",
                        hint="use --grant-type=authcode or authcode-keyboard")
    body, basic = _auth(client, disco, {"scope": " ".join(scopes)})
    answer = http.post_form(disco.device_authorization_endpoint, body,
                            "the provider's device authorization endpoint", basic)
    try:
        device_code = str(answer["device_code"])
        auth = DeviceAuthorization(
            user_code=str(answer["user_code"]),
            verification_uri=str(answer.get("verification_uri") or answer["verification_url"]),
            verification_uri_complete=answer.get("verification_uri_complete"),
            expires_in=float(answer.get("expires_in", 600)),
            interval=float(answer.get("interval", 5)))
    except (KeyError, TypeError, ValueError):
        raise OidcError("the provider's device authorization response is missing fields") from None
    return auth, device_code


def poll(http: HttpClient, disco: Discovery, client: Client, auth: DeviceAuthorization,
         device_code: str, cancel: threading.Event | None = None,
         sleep: Callable[[float], None] | None = None) -> TokenResponse:
    interval = max(auth.interval, 0.0)
    deadline = time.monotonic() + auth.expires_in
    cancel = cancel or threading.Event()
    wait = sleep or (lambda s: cancel.wait(s))
    while True:
        wait(interval)
        if cancel.is_set():
            raise OidcError("the login was cancelled")
        if time.monotonic() > deadline:
            raise OidcError("the device code expired before the sign-in was confirmed",
                            hint="run the command again and enter the new code")
        try:
            return token_request(http, disco, client,
                                 {"grant_type": DEVICE_GRANT, "device_code": device_code})
        except OAuthError as exc:
            if exc.error == "authorization_pending":
                continue
            if exc.error == "slow_down":
                interval += 5
                continue
            if exc.error == "access_denied":
                raise OidcError("the sign-in was denied on the verification page") from None
            if exc.error == "expired_token":
                raise OidcError("the device code expired before the sign-in was confirmed",
                                hint="run the command again and enter the new code") from None
            raise
