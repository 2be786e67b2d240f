"""Mounted at /stripe/ on the platform domain and on every clinic domain."""

from django.urls import path

from chairside.payments.webhooks import stripe_webhook

urlpatterns = [path("webhook/", stripe_webhook, name="stripe-webhook")]
