"""Sign-in, registration, people and the account pages on the H5 pages and the JSON API."""
