import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value

from tests.factories import PASSWORD


def sign_in(client, member):
    return client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})


def test_member_turns_on_two_factor_and_then_needs_it(client, member):
    sign_in(client, member)
    # Turning on a second factor asks for the password again, however fresh the sign-in.
    assert client.get("/accounts/2fa/totp/activate/").status_code == 302
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))

    response = client.post("/accounts/2fa/totp/activate/", {"code": code})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()
    recovery = Authenticator.objects.get(user=member, type=Authenticator.Type.RECOVERY_CODES)
    unused_code = recovery.wrap().get_unused_codes()[0]

    client.post("/accounts/logout/")
    response = sign_in(client, member)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert not client.get("/accounts/2fa/authenticate/").context["user"].is_authenticated

    response = client.post("/accounts/2fa/authenticate/", {"code": unused_code})
    assert response.status_code == 302
    assert client.get("/").context["user"] == member
