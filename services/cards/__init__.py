"""IC card / IKey flows: challenges, certificate checks, card sign-in and registration, legal-person authorisation."""
