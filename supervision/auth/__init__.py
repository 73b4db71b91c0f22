"""Sign-in, sign-out and lockout."""
