"""Users, login and logout, API tokens and the session cookie."""
