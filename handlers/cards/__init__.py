"""Card flows on the H5 pages and the JSON API."""
