"""The person at the browser, played over HTTP against the real provider.

This is the one fake the OIDC tests use, because no person and no browser can run here: it does
what a person does in a browser — open the authorization URL, fill in the provider's own login
form (oidc-provider's devInteractions page: any login name, any password), confirm a device code
— and lets the provider's redirects land where a browser would send them (kubewallet's loopback
listener). Everything else in the exchange is the real provider and kubewallet's own code.

Run as a script it is a `--browser-command`: `python -m tests.oidc_provider.person URL`, with
`KUBEWALLET_TEST_LOGIN` naming the account and `KUBEWALLET_TEST_BROWSER_LOG` a file that gets one
line per opened URL (so tests count browser opens across processes).
"""

from __future__ import annotations

import http.cookiejar
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser


class _Form(HTMLParser):
    """The first <form> of a page: its action and its input fields (name -> value)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._inside = False
        self._done = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self._done and self.action is None:
            self.action = a.get("action") or ""
            self._inside = True
        elif tag == "input" and self._inside and a.get("name"):
            self.fields[a["name"]] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form" and self._inside:
            self._inside = False
            self._done = True


def _form(html: str) -> _Form:
    parser = _Form()
    parser.feed(html)
    if parser.action is None:
        raise AssertionError("the provider's page has no form: " + html[:300])
    return parser


class Browser:
    """One browser profile (a cookie jar); `open(url)` plays the whole login in it."""

    def __init__(self, login: str = "alice", password: str = "any-password") -> None:
        self.login = login
        self.password = password
        self.jar = http.cookiejar.CookieJar()
        self.redirects: list[str] = []
        browser = self

        class Recorder(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, req, fp, code, msg, headers, newurl):
                browser.redirects.append(newurl)
                return super().redirect_request(req, fp, code, msg, headers, newurl)

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  Recorder)
        self.last_page = ""

    def _fetch(self, url: str, data: dict | None = None) -> tuple[str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, data=body, timeout=20) as resp:
                return resp.geturl(), resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.geturl(), exc.read().decode("utf-8", "replace")
        except urllib.error.URLError as exc:
            # A redirect to a redirect_uri nobody listens on (authcode-keyboard): the browser
            # shows an error page, and the URL stays in its address bar (self.redirects[-1]).
            return self.redirects[-1] if self.redirects else url, f"unreachable: {exc.reason}"

    def _drive(self, url: str, html: str, user_code: str = "") -> tuple[str, str]:
        """Go through the provider's pages as a person would: the device code form (auto-submitted
        by a browser, or typed in), the device confirmation, the login form, a consent page."""
        for _ in range(10):
            if "<form" not in html:
                break
            form = _form(html)
            fields = dict(form.fields)
            if 'name="login"' in html:
                fields.update(login=self.login, password=self.password)
            elif 'value="consent"' in html or 'name="confirm"' in html:
                pass
            elif "user_code" in fields or 'name="user_code"' in html:
                fields["user_code"] = fields.get("user_code") or user_code
            else:
                break
            url, html = self._fetch(urllib.parse.urljoin(url, form.action), fields)
        return url, html

    def open(self, url: str) -> str:
        """Authorization code flow: follow the provider to its login form, sign in, and let the
        redirect reach the client's redirect_uri (the loopback listener). Returns the last page."""
        _, html = self._drive(*self._fetch(url))
        self.last_page = html
        return html

    def confirm_device(self, verification_uri_complete: str) -> str:
        """Device flow (RFC 8628 §3.3.1): open the verification URL with the code in it, confirm,
        sign in. Returns the provider's last page ("Sign-in Success" when it worked)."""
        _, html = self._drive(*self._fetch(verification_uri_complete))
        self.last_page = html
        return html

    def enter_device_code(self, verification_uri: str, user_code: str) -> str:
        """Device flow with the code typed in by hand on the verification page (§3.3)."""
        _, html = self._drive(*self._fetch(verification_uri), user_code=user_code)
        self.last_page = html
        return html


def main(argv: list[str]) -> int:
    url = argv[-1]
    log = os.environ.get("KUBEWALLET_TEST_BROWSER_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(url + "\n")
    Browser(os.environ.get("KUBEWALLET_TEST_LOGIN", "alice")).open(url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
