"""The domain: models, lifecycle rules and services. Nothing here imports Qt."""
