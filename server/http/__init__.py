"""The HTTP face of the server: the aiohttp app, its routes, request/response models, OpenAPI, sessions."""
