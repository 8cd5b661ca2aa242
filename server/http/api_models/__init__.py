"""Request and response models of the HTTP API, one module per area (mirroring server/http/routes/); they
validate requests and generate the OpenAPI document."""
