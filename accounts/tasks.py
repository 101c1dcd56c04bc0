"""Account e-mails (confirmation, password reset, security notices), sent by a worker: a
slow or failing mail server never holds or breaks the request that asked for one."""

from django.core.mail import EmailMultiAlternatives
from procrastinate.contrib.django import app

from forums.tasks import RETRY, in_worker


@app.task(queue="email", retry=RETRY)
@in_worker
def send_account_email(subject, body, from_email, to, html=None, headers=None):
    """Sends an e-mail allauth rendered (accounts.adapter.AccountAdapter.send_mail)."""
    message = EmailMultiAlternatives(subject, body, from_email, to, headers=headers or {})
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
