"""The public site on the base domain: landing, pricing, clinic signup and
"find my clinic". Pages only: clinics themselves are the tenants app's."""
