"""A small browser on the standard library: keeps cookies by hand (they are marked Secure,
and the harness speaks plain HTTP to gunicorn behind a pretend TLS proxy), signs in through
the real form and follows `rel="next"` links."""

import html
import http.client
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit

# What a TLS-terminating proxy adds to every request it passes on.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


class Browser:
    def __init__(self, base_url):
        self.base_url = base_url
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        # As the member's browser sees the site: through the proxy, over HTTPS.
        self.origin = f"https://{parts.netloc}"
        self.cookies = {}

    def request(self, method, path, *, body=None, headers=None):
        """Returns (status, headers, text); redirects are not followed."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        sent = {**PROXY_HEADERS, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = self.cookie_header()
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers, text

    def get(self, path):
        return self.request("GET", path)

    def cookie_header(self):
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def sign_in(self, email, password):
        """Signs in through allauth's form, as a person would: GET the form, POST it back
        with the CSRF token, expect the redirect that follows a successful sign-in."""
        status, _, page = self.get("/accounts/login/")
        if status != 200:
            raise RuntimeError(f"GET /accounts/login/ answered {status}")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not token or "csrftoken" not in self.cookies:
            raise RuntimeError("the sign-in form carries no CSRF token")
        form = urlencode(
            {"csrfmiddlewaretoken": token.group(1), "login": email, "password": password}
        )
        status, headers, page = self.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": f"{self.origin}/accounts/login/",
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)<', page, re.S)
            detail = "; ".join(html.unescape(e).strip() for e in errors if e.strip())
            raise RuntimeError(
                f"signing in as {email} failed (status {status}"
                f"{', location ' + headers['Location'] if headers.get('Location') else ''})"
                f"{': ' + detail if detail else ''}"
            )
        # A page only members may open proves that the session took.
        status, _, _ = self.get("/notifications/")
        if status != 200:
            raise RuntimeError(f"signed in as {email}, but /notifications/ answered {status}")

    def follow_next(self, path, times):
        """Follows the page's rel="next" link up to `times` times. Returns the path reached
        and how many links were followed (fewer when the list ends first)."""
        followed = 0
        while followed < times:
            status, _, page = self.get(path)
            if status != 200:
                raise RuntimeError(f"GET {path} answered {status}")
            link = re.search(r'<a\b[^>]*\brel="next"[^>]*>', page)
            href = link and re.search(r'\bhref="([^"]+)"', link.group(0))
            if not href:
                break
            path = urljoin(path, html.unescape(href.group(1)))
            followed += 1
        return path, followed
