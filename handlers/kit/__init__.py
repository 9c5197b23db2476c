"""The edge kit shared by the H5 pages, the API and the admin web: sessions, input, rendering, responses, OpenAPI."""
