"""Pure domain layer: label schema, annotation results, images, splits and file formats.

Nothing here touches the database or the web framework, so the CLI, the API and the
workers share it and tests run without a server.
"""
